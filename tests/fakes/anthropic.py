"""Fake Anthropic Messages upstream: POST /v1/messages, /v1/messages/count_tokens, GET /v1/models.

Auth as api.anthropic.com: `x-api-key` (or `Authorization: Bearer`, the OAuth form) and a
required `anthropic-version` header. Errors use `{"type": "error", "error": {...},
"request_id"}`; a scripted mid-stream Failure becomes an `event: error` after the content.
`require_thinking_replay` (on by default, restored by reset) enforces the API's rule that,
with `thinking.type: enabled`, the assistant turn of an ongoing tool loop starts with its
thinking block.
"""

from __future__ import annotations

from typing import Any, ClassVar

from starlette.requests import Request
from starlette.routing import Route

from tests.fakes import anthropic_render as render
from tests.fakes.anthropic_validate import Check, betas_of, validate
from tests.fakes.base import Fake, Rejected
from tests.fakes.respond import Frames, json_answer, sse
from tests.fakes.script import RecordedRequest, Reply

ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    504: "timeout_error",
    529: "overloaded_error",
}


class AnthropicFake(Fake):
    dialect: ClassVar[str] = "anthropic"
    default_key: ClassVar[str] = "sk-ant-test-fake"
    default_models: ClassVar[tuple[str, ...]] = ("claude-sonnet-4-6", "claude-opus-4-7", "claude-haiku-4-5")
    bad_json_message: ClassVar[str] = "There was an error parsing the body"

    def __init__(self, key: str | None = None, models: list[str] | None = None) -> None:
        self.require_thinking_replay = True
        super().__init__(key, models)

    def reset(self) -> None:
        super().reset()
        self.require_thinking_replay = True

    def routes(self) -> list[Route]:
        return [
            Route("/v1/messages", self._messages, methods=["POST"]),
            Route("/v1/messages/count_tokens", self._count_tokens, methods=["POST"]),
            Route("/v1/models", self._list_models, methods=["GET"]),
            Route("/v1/models/{model:path}", self._get_model, methods=["GET"]),
        ]

    # -- auth and errors -------------------------------------------------------------------

    def check_auth(self, record: RecordedRequest) -> None:
        key = record.header("x-api-key")
        scheme, _, token = (record.header("authorization") or "").partition(" ")
        if key is None and scheme.lower() == "bearer":
            if token.strip() != self.key:
                raise Rejected("Invalid bearer token", status=401)
        elif key is None:
            raise Rejected("x-api-key header is required", status=401)
        elif key != self.key:
            raise Rejected("invalid x-api-key", status=401)
        if not record.header("anthropic-version"):
            raise Rejected("anthropic-version: header is required")

    def max_output(self, body: Any) -> int | None:
        found = body.get("max_tokens")
        return found if isinstance(found, int) else None

    def kind_for(self, status: int) -> str | None:
        return ERROR_TYPES.get(status, "api_error" if status >= 500 else "invalid_request_error")

    def too_long(self, tokens: int, window: int) -> Rejected:
        return Rejected(f"prompt is too long: {tokens} tokens > {window} maximum")

    def error_body(self, error: Rejected) -> dict[str, Any]:
        kind = error.kind or self.kind_for(error.status)
        return {
            "type": "error",
            "error": {"type": kind, "message": error.message},
            "request_id": render.anthropic_id("req_"),
        }

    def response_headers(self) -> dict[str, str]:
        return {"request-id": render.anthropic_id("req_"), "anthropic-organization-id": "org-fake"}

    # -- endpoints -------------------------------------------------------------------------

    def _check(self, body: Any, record: RecordedRequest, count: bool = False) -> None:
        check = Check(body, betas_of(record.headers), self.signatures, count, self.require_thinking_replay)
        validate(check)

    async def _messages(self, request: Request) -> Frames:
        return await self.handle(request, self._check, self._answer)

    def _answer(self, body: dict[str, Any], record: RecordedRequest, reply: Reply) -> Frames:
        blocks = render.content(body, reply, self.issue_signature)
        if body.get("stream") is not True:
            return self.whole(render.message(body, reply, blocks), reply)
        failure = None
        if reply.error is not None:
            error = self.as_rejected(reply.error)
            failure = {"type": error.kind, "message": error.message}
        frames = [
            sse({"type": name, **data}, name) for name, data in render.events(body, reply, blocks, failure)
        ]
        return self.frames(frames, reply)

    async def _count_tokens(self, request: Request) -> Frames:
        body, rejected = await self.preflight(request, lambda b, r: self._check(b, r, count=True))
        return rejected or json_answer(
            {"input_tokens": self.token_count(body)}, headers=self.response_headers()
        )

    def _model(self, name: str) -> dict[str, Any]:
        display = name.replace("-", " ").title()
        return {"type": "model", "id": name, "display_name": display, "created_at": "2025-09-29T00:00:00Z"}

    async def _list_models(self, request: Request) -> Frames:
        _, rejected = await self.preflight(request, lambda b, r: None)
        if rejected is not None:
            return rejected
        data = [self._model(m) for m in self.models]
        first, last = (data[0]["id"], data[-1]["id"]) if data else (None, None)
        return json_answer({"data": data, "has_more": False, "first_id": first, "last_id": last})

    async def _get_model(self, request: Request) -> Frames:
        _, rejected = await self.preflight(request, lambda b, r: None)
        name = request.path_params["model"]
        if rejected is None and name not in self.models:
            rejected = self.rejection(Rejected(f"model: {name}", status=404))
        return rejected or json_answer(self._model(name))

"""A fake ChatGPT Codex backend: the Responses fake behind the rules of upstreams.md §1.

    POST /backend-api/codex/responses   Responses SSE only
    GET  /backend-api/wham/usage        the usage windows (`usage`, settable)

A request needs a live access token from the fake OAuth server (else 401
`token_expired`), the account's `chatgpt-account-id` and an `originator`. The body must
carry `instructions`, `store: false` and `stream: true`, and none of the controls the
backend refuses (`max_output_tokens`, `temperature`, ...): each is answered with the
backend's FastAPI-style `{"detail": ...}`. As the real backend does, the terminal
`response.completed` carries an empty `output` (the items came in `output_item.done`).
"""

from __future__ import annotations

from typing import Any, ClassVar

from starlette.requests import Request
from starlette.routing import Route

from tests.fakes.base import Rejected
from tests.fakes.oauth import FakeOAuth
from tests.fakes.openai_responses import OpenAIResponsesFake
from tests.fakes.openai_responses_render import Rendering
from tests.fakes.respond import Frames, json_answer, sse
from tests.fakes.script import RecordedRequest, Reply

REFUSED = (
    "max_output_tokens",
    "max_completion_tokens",
    "temperature",
    "top_p",
    "stop",
    "truncation",
    "context_management",
    "prompt_cache_retention",
    "safety_identifier",
    "stream_options",
    "user",
    "previous_response_id",
)
EXPIRED = "Provided authentication token is expired. Please try signing in again."


class CodexBackendFake(OpenAIResponsesFake):
    api_prefix: ClassVar[str] = "/backend-api/codex"

    def __init__(self, oauth: FakeOAuth, models: list[str] | None = None) -> None:
        self.oauth = oauth
        self.rate_headers = {
            "x-codex-primary-used-percent": "12.5",
            "x-codex-primary-window-minutes": "300",
            "x-codex-primary-reset-after-seconds": "7200",
            "x-codex-secondary-used-percent": "40",
            "x-codex-secondary-window-minutes": "10080",
        }
        self.usage: dict[str, Any] = {
            "plan_type": "plus",
            "rate_limit": {
                "allowed": True,
                "limit_reached": False,
                "primary_window": {
                    "used_percent": 12,
                    "limit_window_seconds": 18000,
                    "reset_after_seconds": 7200,
                },
                "secondary_window": {
                    "used_percent": 40,
                    "limit_window_seconds": 604800,
                    "reset_at": 2000000000,
                },
            },
        }
        super().__init__(key="unused: the OAuth server's tokens are the keys", models=models)

    def routes(self) -> list[Route]:
        return [
            Route("/backend-api/codex/responses", self._responses, methods=["POST"]),
            Route("/backend-api/wham/usage", self._usage, methods=["GET"]),
        ]

    def check_auth(self, record: RecordedRequest) -> None:
        scheme, _, token = (record.header("authorization") or "").partition(" ")
        user = self.oauth.user_for(token.strip()) if scheme.lower() == "bearer" else None
        if user is None:
            raise Rejected(EXPIRED, status=401, kind="invalid_request_error", reason="token_expired")
        if record.header("chatgpt-account-id") != user.account_id:
            raise Rejected(
                "chatgpt-account-id is missing or not this token's account", status=403, kind="detail"
            )
        if not record.header("originator"):
            raise Rejected("originator header is required", status=400, kind="detail")

    def _validate(self, body: Any, record: RecordedRequest) -> None:
        if isinstance(body, dict):
            if not isinstance(body.get("instructions"), str) or not body["instructions"]:
                raise Rejected("Instructions are required", kind="detail")
            if body.get("store") is not False:
                raise Rejected("Store must be set to false", kind="detail")
            if body.get("stream") is not True:
                raise Rejected("Stream must be set to true", kind="detail")
            for name in REFUSED:
                if name in body:
                    raise Rejected(f"Unsupported parameter: {name}", kind="detail")
            if any(
                isinstance(item, dict) and item.get("role") == "system" for item in body.get("input") or ()
            ):
                raise Rejected("System messages are not allowed in input", kind="detail")
        super()._validate(body, record)

    def error_body(self, error: Rejected) -> dict[str, Any]:
        if error.kind == "detail":
            return {"detail": error.message}
        return super().error_body(error)

    def response_headers(self) -> dict[str, str]:
        return {**super().response_headers(), **self.rate_headers}

    def _answer(self, body: dict[str, Any], record: RecordedRequest, reply: Reply) -> Frames:
        rendering = Rendering(body, reply, self.issue_signature)
        events = rendering.events()
        for name, payload in events:
            if name == "response.completed":
                payload["response"]["output"] = []
        return self.frames([sse(payload, name) for name, payload in events], reply)

    async def _usage(self, request: Request) -> Frames:
        record = await self.record(request)
        try:
            self.check_auth(record)
        except Rejected as error:
            return self.rejection(error)
        return json_answer(self.usage)

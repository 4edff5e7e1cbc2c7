"""Fake Gemini API upstream: POST /v1beta/models/{model}:generateContent,
:streamGenerateContent (`?alt=sse`, or a streamed JSON array without it), :countTokens,
GET /v1beta/models[/{model}]; the same under /v1. Image models draw (`gemini_images`).

Auth as the public API: `x-goog-api-key` header or `?key=`. A missing key is 403
PERMISSION_DENIED and a wrong one 400 INVALID_ARGUMENT with ErrorInfo reason
API_KEY_INVALID, as Google answers (not 401). Errors use the google.rpc envelope; a 429
carries QuotaFailure and, with `retry_after`, RetryInfo.retryDelay in the body (no header).
SSE events are framed with CRLF, as Google's servers do.
"""

from __future__ import annotations

from typing import Any, ClassVar

from starlette.requests import Request
from starlette.routing import Route

from tests.fakes import gemini_images
from tests.fakes.base import Fake, Rejected, seconds
from tests.fakes.gemini_render import Rendering
from tests.fakes.gemini_validate import validate, validate_count
from tests.fakes.respond import Frames, dumps, json_answer, sse
from tests.fakes.script import RecordedRequest, Reply

STATUSES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    499: "CANCELLED",
    500: "INTERNAL",
    501: "NOT_IMPLEMENTED",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}
RPC = "type.googleapis.com/google.rpc."
NO_KEY = (
    "Method doesn't allow unregistered callers (callers without established identity). Please use API Key "
    "or other form of API consumer identity to call this API."
)
METHODS = ("generateContent", "streamGenerateContent", "countTokens")


class GeminiFake(Fake):
    dialect: ClassVar[str] = "gemini"
    api_prefix: ClassVar[str] = "/v1beta"
    default_key: ClassVar[str] = "gemini-test-fake-key"
    default_models: ClassVar[tuple[str, ...]] = ("gemini-2.5-flash", "gemini-2.5-pro", "gemini-3-pro-preview")
    bad_json_message: ClassVar[str] = "Invalid JSON payload received. Unexpected token."
    retry_after_header: ClassVar[bool] = False

    def routes(self) -> list[Route]:
        routes = []
        for version in ("/v1beta", "/v1"):
            routes += [
                Route(f"{version}/models", self._list_models, methods=["GET"]),
                Route(f"{version}/models/{{target:path}}", self._get_model, methods=["GET"]),
                Route(f"{version}/models/{{target:path}}", self._call, methods=["POST"]),
            ]
        return routes

    # -- auth and errors -------------------------------------------------------------------

    def check_auth(self, record: RecordedRequest) -> None:
        key = record.header("x-goog-api-key") or record.query.get("key")
        if not key:
            raise Rejected(NO_KEY, status=403)
        if key != self.key:
            raise Rejected("API key not valid. Please pass a valid API key.", reason="API_KEY_INVALID")

    def max_output(self, body: Any) -> int | None:
        found = (body.get("generationConfig") or {}).get("maxOutputTokens")
        return found if isinstance(found, int) else None

    def kind_for(self, status: int) -> str | None:
        return STATUSES.get(status, "INTERNAL" if status >= 500 else "FAILED_PRECONDITION")

    def too_long(self, tokens: int, window: int) -> Rejected:
        return Rejected(
            f"The input token count ({tokens}) exceeds the maximum number of tokens allowed ({window})."
        )

    def error_body(self, error: Rejected) -> dict[str, Any]:
        details: list[dict[str, Any]] = []
        if error.reason:
            info = {"service": "generativelanguage.googleapis.com"}
            details.append(
                {
                    "@type": RPC + "ErrorInfo",
                    "reason": error.reason,
                    "domain": "googleapis.com",
                    "metadata": info,
                }
            )
        if error.status == 429:
            violation = {
                "quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests",
                "quotaId": "GenerateRequestsPerMinutePerProjectPerModel-FreeTier",
            }
            details.append({"@type": RPC + "QuotaFailure", "violations": [violation]})
        if error.retry_after is not None:
            details.append({"@type": RPC + "RetryInfo", "retryDelay": seconds(error.retry_after) + "s"})
        body: dict[str, Any] = {
            "code": error.status,
            "message": error.message,
            "status": error.kind or self.kind_for(error.status),
        }
        if details:
            body["details"] = details
        return {"error": body}

    def is_stream(self, body: Any, record: RecordedRequest) -> bool:
        return record.path.endswith(":streamGenerateContent")

    # -- endpoints -------------------------------------------------------------------------

    async def _call(self, request: Request) -> Frames:
        model, _, method = request.path_params["target"].rpartition(":")
        if method not in METHODS or not model:
            await self.record(request)
            return self.rejection(Rejected(f"Method not found: {method}", status=404))
        if method == "countTokens":
            return await self._count(request, model)
        return await self.handle(request, lambda b, r: self._validate(b, model), self._answer)

    def _validate(self, body: Any, model: str) -> None:
        validate(body, model, self.signatures)
        gemini_images.check(body, model)

    def _answer(self, body: dict[str, Any], record: RecordedRequest, reply: Reply) -> Frames:
        model = record.path.rsplit("/models/", 1)[1].rpartition(":")[0]
        rendering = Rendering(body, model, reply, self.issue_signature)
        if not self.is_stream(body, record):
            return self.whole(rendering.whole(), reply)
        chunks: list[Any] = rendering.chunks()
        if reply.error is not None:
            chunks = [*chunks[:-1], self.error_body(self.as_rejected(reply.error))]
        if record.query.get("alt") == "sse":
            return self.frames([sse(chunk, newline=b"\r\n") for chunk in chunks], reply)
        pieces = [(b"[" if i == 0 else b",\r\n") + dumps(chunk) for i, chunk in enumerate(chunks)]
        answer = self.frames([*pieces, b"]"], reply)
        answer.headers["content-type"] = "application/json; charset=UTF-8"
        return answer

    async def _count(self, request: Request, model: str) -> Frames:
        body, rejected = await self.preflight(request, lambda b, r: validate_count(b, model, self.signatures))
        if rejected is not None:
            return rejected
        total = self.token_count(body)
        return json_answer(
            {"totalTokens": total, "promptTokensDetails": [{"modality": "TEXT", "tokenCount": total}]}
        )

    def _model(self, name: str) -> dict[str, Any]:
        return {
            "name": f"models/{name}",
            "version": "001",
            "displayName": name.replace("-", " ").title(),
            "description": f"Fake {name}",
            "inputTokenLimit": 1_048_576,
            "outputTokenLimit": 65_536,
            "supportedGenerationMethods": ["generateContent", "countTokens", "streamGenerateContent"],
            "temperature": 1,
            "maxTemperature": 2,
            "topP": 0.95,
            "topK": 64,
            "thinking": True,
        }

    async def _list_models(self, request: Request) -> Frames:
        _, rejected = await self.preflight(request, lambda b, r: None)
        return rejected or json_answer({"models": [self._model(m) for m in self.models]})

    async def _get_model(self, request: Request) -> Frames:
        _, rejected = await self.preflight(request, lambda b, r: None)
        name = request.path_params["target"].removeprefix("models/")
        if rejected is None and name not in self.models:
            rejected = self.rejection(
                Rejected(f"models/{name} is not found for API version v1beta", status=404)
            )
        return rejected or json_answer(self._model(name))

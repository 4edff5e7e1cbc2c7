"""What the two OpenAI fakes share: Bearer auth, the `{"error": {...}}` envelope, /v1/models."""

from __future__ import annotations

import time
from typing import Any, ClassVar

from starlette.requests import Request
from starlette.routing import Route

from tests.fakes.base import Fake, Rejected, new_id
from tests.fakes.respond import Frames, json_answer
from tests.fakes.script import RecordedRequest

MISSING_KEY = (
    "You didn't provide an API key. You need to provide your API key in an Authorization header "
    "using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
)

ERROR_TYPES = {
    400: "invalid_request_error",
    401: "invalid_request_error",
    403: "permission_error",
    404: "invalid_request_error",
    409: "invalid_request_error",
    413: "invalid_request_error",
    422: "invalid_request_error",
    429: "requests",
    500: "server_error",
    502: "server_error",
    503: "server_error",
    504: "server_error",
}

ERROR_CODES = {401: "invalid_api_key", 429: "rate_limit_exceeded"}

# Reasoning models refuse `max_tokens` (Chat) and any temperature but the default.
REASONING_PREFIXES = ("o1", "o3", "o4", "gpt-5")


def is_reasoning_model(model: Any) -> bool:
    return isinstance(model, str) and model.startswith(REASONING_PREFIXES)


def mask(key: str) -> str:
    return key[:3] + "*" * 10 + key[-4:] if len(key) > 8 else "*" * len(key)


def expect_type(value: Any, kind: type | tuple[type, ...], name: str, param: str) -> None:
    """OpenAI's wording for a field of the wrong JSON type."""
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        got = _json_type(value)
        raise Rejected(
            f"Invalid type for '{param}': expected {name}, but got {got} instead.",
            param=param,
            reason="invalid_type",
        )


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "a number"
    return names.get(type(value), "a value")


def missing(param: str) -> Rejected:
    return Rejected(
        f"Missing required parameter: '{param}'.", param=param, reason="missing_required_parameter"
    )


def invalid_value(value: Any, supported: list[str], param: str) -> Rejected:
    choices = ", ".join(f"'{s}'" for s in supported[:-1]) + f", and '{supported[-1]}'"
    return Rejected(
        f"Invalid value: '{value}'. Supported values are: {choices}.", param=param, reason="invalid_value"
    )


class OpenAIFake(Fake):
    """Base of the Chat Completions and Responses fakes."""

    default_key: ClassVar[str] = "sk-test-fake-openai"
    default_models: ClassVar[tuple[str, ...]] = ("gpt-4o-mini", "gpt-4.1", "gpt-5", "o3-mini")
    bad_json_message: ClassVar[str] = (
        "We could not parse the JSON body of your request. (HINT: This likely means you aren't using "
        "your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was "
        "not valid JSON.)"
    )

    def check_auth(self, record: RecordedRequest) -> None:
        header = record.header("authorization") or ""
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Rejected(MISSING_KEY, status=401)
        if token.strip() != self.key:
            raise Rejected(
                f"Incorrect API key provided: {mask(token.strip())}. You can find your API key at "
                "https://platform.openai.com/account/api-keys.",
                status=401,
                reason="invalid_api_key",
            )

    def kind_for(self, status: int) -> str | None:
        return ERROR_TYPES.get(status, "server_error" if status >= 500 else "invalid_request_error")

    def error_body(self, error: Rejected) -> dict[str, Any]:
        return {
            "error": {
                "message": error.message,
                "type": error.kind or self.kind_for(error.status),
                "param": error.param,
                "code": self.code_for(error),
            }
        }

    def code_for(self, error: Rejected) -> str | None:
        return error.reason if error.reason is not None else ERROR_CODES.get(error.status)

    def response_headers(self) -> dict[str, str]:
        return {"x-request-id": new_id("req_"), "openai-processing-ms": "7"}

    def model_routes(self) -> list[Route]:
        return [
            Route("/v1/models", self._list_models, methods=["GET"]),
            Route("/v1/models/{model:path}", self._get_model, methods=["GET"]),
        ]

    def _model(self, name: str) -> dict[str, Any]:
        return {"id": name, "object": "model", "created": 1_700_000_000, "owned_by": "openai"}

    async def _list_models(self, request: Request) -> Frames:
        _, rejected = await self.preflight(request, _no_body)
        if rejected is not None:
            return rejected
        return json_answer({"object": "list", "data": [self._model(m) for m in self.models]})

    async def _get_model(self, request: Request) -> Frames:
        _, rejected = await self.preflight(request, _no_body)
        if rejected is not None:
            return rejected
        name = request.path_params["model"]
        if name not in self.models:
            return self.rejection(
                Rejected(
                    f"The model '{name}' does not exist or you do not have access to it.",
                    status=404,
                    param="model",
                    reason="model_not_found",
                )
            )
        return json_answer(self._model(name))


def reject_unknown(body: dict[str, Any], allowed: frozenset[str], template: str) -> None:
    for name in body:
        if name not in allowed:
            raise Rejected(template.format(name=name), param=name, reason="unknown_parameter")


def now() -> int:
    return int(time.time())


def _no_body(body: Any, record: RecordedRequest) -> None:
    return None

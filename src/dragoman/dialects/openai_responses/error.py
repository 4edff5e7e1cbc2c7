"""Responses errors: `{"error": {"message", "type", "param", "code"}}` both ways.

The envelope is Chat Completions'. Responses also reports errors inside a stream: an
`error` event (`code`, `message`, `param`, sometimes nested under `error`) or a
`response.failed` whose `response.error` has `code` and `message`; `from_event`
reads both. Those carry no HTTP status, so the code says what it would have been.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from dragoman.dialects.openai_chat import error as chat_error
from dragoman.dialects.openai_responses import wire
from dragoman.ir.errors import GatewayError, UpstreamError, from_status

# status -> error type a client sees
_TYPES: dict[int, str] = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "invalid_request_error",
    429: "rate_limit_error",
}

# in-stream error code (or type) -> the HTTP status it stands for
_STATUS_BY_CODE: dict[str, int] = {
    "invalid_request_error": 400,
    "invalid_prompt": 400,
    "context_length_exceeded": 400,
    "invalid_encrypted_content": 400,
    "authentication_error": 401,
    "invalid_api_key": 401,
    "token_expired": 401,
    "permission_error": 403,
    "not_found_error": 404,
    "model_not_found": 404,
    "rate_limit_error": 429,
    "rate_limit_exceeded": 429,
    "usage_limit_reached": 429,
    "insufficient_quota": 429,
    "server_is_overloaded": 529,
    "slow_down": 529,
    "overloaded_error": 529,
}

# "Please try again in 1.5s" / "in 300ms": how OpenAI words a rate limit's wait.
_TRY_AGAIN = re.compile(r"try again in (\d+(?:\.\d+)?)\s*(ms|s)\b", re.IGNORECASE)


def render(error: GatewayError) -> tuple[int, wire.ErrorBody]:
    """The status and body a Responses client receives for `error`."""
    status = error.status
    error_type = _TYPES.get(status) or ("server_error" if status >= 500 else "invalid_request_error")
    detail: wire.ErrorDetail = {
        "message": error.message,
        "type": error_type,
        "param": error.param,
        "code": error.code,
    }
    return status, {"error": detail}


def parse(status: int, body: bytes, headers: Mapping[str, str]) -> GatewayError:
    """The error an upstream's non-2xx answer means."""
    error = chat_error.parse(status, body, headers)
    if error.retry_after is None:
        payload = chat_error.decode(body)
        detail = payload.get("error") if isinstance(payload, dict) else None
        error.retry_after = _body_retry_after(detail, error.message)
    return error


def from_event(value: Any) -> GatewayError:
    """The error of an in-stream `error` event or of `response.failed`'s `response.error`."""
    detail = value.get("error") if isinstance(value, dict) and isinstance(value.get("error"), dict) else value
    message = chat_error.message_of(None, detail) or "the upstream reported an error mid-stream"
    status = _event_status(detail)
    if status is None:
        return chat_error.refine(UpstreamError(message), detail)
    wait = _body_retry_after(detail, message)
    return chat_error.refine(from_status(status, message, retry_after=wait), detail)


def _event_status(detail: Any) -> int | None:
    if not isinstance(detail, dict):
        return None
    status = detail.get("status")
    if isinstance(status, int) and 400 <= status <= 599:
        return status
    for key in ("code", "type", "error_type"):
        code = detail.get(key)
        if isinstance(code, str) and code in _STATUS_BY_CODE:
            return _STATUS_BY_CODE[code]
    return None


def _body_retry_after(detail: Any, message: str) -> float | None:
    """The wait a body states: Codex's `resets_in_seconds`, or "try again in Ns"."""
    if isinstance(detail, dict):
        seconds = detail.get("resets_in_seconds")
        if isinstance(seconds, int | float) and not isinstance(seconds, bool) and seconds >= 0:
            return float(seconds)
    match = _TRY_AGAIN.search(message)
    if match is None:
        return None
    value = float(match.group(1))
    return value / 1000 if match.group(2).lower() == "ms" else value

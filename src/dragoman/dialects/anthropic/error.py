"""Anthropic error bodies: `{"type": "error", "error": {"type", "message"}}`, both directions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from dragoman.dialects.retry import retry_after
from dragoman.ir import errors
from dragoman.ir.errors import GatewayError

# Anthropic's error type for each HTTP status (its docs' error table).
TYPES_BY_STATUS: dict[int, str] = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    502: "api_error",
    503: "overloaded_error",
    504: "timeout_error",
    529: "overloaded_error",
}

# The status each error type stands for, for errors that arrive inside a stream.
STATUS_BY_TYPE: dict[str, int] = {
    "invalid_request_error": 400,
    "authentication_error": 401,
    "billing_error": 402,
    "permission_error": 403,
    "not_found_error": 404,
    "request_too_large": 413,
    "rate_limit_error": 429,
    "api_error": 500,
    "timeout_error": 504,
    "overloaded_error": 529,
}


def error_type(status: int) -> str:
    return TYPES_BY_STATUS.get(status) or ("invalid_request_error" if status < 500 else "api_error")


def render(error: GatewayError) -> tuple[int, dict[str, Any]]:
    """The status and body a client receives for `error`."""
    body = {"type": "error", "error": {"type": error_type(error.status), "message": error.message}}
    return error.status, body


def parse(status: int, body: bytes, headers: Mapping[str, str]) -> GatewayError:
    """The error an upstream's error answer means, keeping its message and retry-after."""
    message = _message(body) or f"the upstream answered HTTP {status}"
    return errors.from_status(status, message, retry_after=retry_after(headers))


def from_type(kind: str | None, message: str) -> GatewayError:
    """The error an in-stream `event: error` means, from its error type."""
    if kind == "timeout_error":
        return errors.UpstreamTimeout(message)
    if kind == "api_error" or kind not in STATUS_BY_TYPE:
        return errors.UpstreamError(message)
    return errors.from_status(STATUS_BY_TYPE[kind], message)


def parse_event(payload: Any) -> GatewayError:
    """The error of a stream's `error` event payload."""
    error = payload.get("error") if isinstance(payload, dict) else None
    if not isinstance(error, dict):
        return errors.UpstreamError("the upstream sent an error event without details")
    message = error.get("message")
    kind = error.get("type")
    return from_type(
        kind if isinstance(kind, str) else None, message if isinstance(message, str) else str(kind)
    )


def _message(body: bytes) -> str | None:
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError:
        text = body.decode("utf-8", errors="replace").strip()
        return text[:500] or None
    error = value.get("error") if isinstance(value, dict) else None
    message = error.get("message") if isinstance(error, dict) else None
    if isinstance(message, str):
        return message
    if isinstance(error, str):
        return error
    return None

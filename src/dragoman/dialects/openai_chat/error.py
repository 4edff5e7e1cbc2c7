"""Chat Completions errors: `{"error": {"message", "type", "param", "code"}}` both ways.

OpenAI names the error `type` by its HTTP status; `code` is finer-grained
(`model_not_found`, `rate_limit_exceeded`). Chat has no in-stream error event, but
servers send `data: {"error": {...}}` before closing, with the same inner shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from dragoman.dialects.openai_chat import wire
from dragoman.dialects.retry import retry_after
from dragoman.ir.errors import GatewayError, ModelNotFound, UpstreamError, from_status

# status -> (type, code); a code of None means the error's own code.
_BY_STATUS: dict[int, tuple[str, str | None]] = {
    400: ("invalid_request_error", None),
    401: ("authentication_error", None),
    403: ("permission_error", None),
    404: ("not_found_error", None),
    413: ("invalid_request_error", "request_too_large"),
    429: ("rate_limit_error", "rate_limit_exceeded"),
    529: ("server_error", "overloaded"),
}

# In-stream errors carry no HTTP status; their type says what it would have been.
_STATUS_BY_TYPE: dict[str, int] = {
    "invalid_request_error": 400,
    "authentication_error": 401,
    "permission_error": 403,
    "not_found_error": 404,
    "rate_limit_error": 429,
    "overloaded_error": 529,
}


def render(error: GatewayError) -> tuple[int, wire.ErrorBody]:
    """The status and body a Chat client receives for `error`."""
    status = error.status
    error_type, code = _BY_STATUS.get(status) or _fallback(status)
    detail: wire.ErrorDetail = {
        "message": error.message,
        "type": error_type,
        "param": error.param,
        "code": code or error.code,
    }
    return status, {"error": detail}


def _fallback(status: int) -> tuple[str, str | None]:
    return ("server_error", None) if status >= 500 else ("invalid_request_error", None)


def parse(status: int, body: bytes, headers: Mapping[str, str]) -> GatewayError:
    """The error an upstream's non-2xx Chat answer means."""
    payload = decode(body)
    detail = payload.get("error") if isinstance(payload, dict) else None
    message = message_of(payload, detail) or short_text(body) or f"the upstream answered HTTP {status}"
    error = from_status(status, message, retry_after=retry_after(headers))
    return refine(error, detail)


def from_payload(detail: object, *, status: int | None = None) -> GatewayError:
    """The error of an in-stream `{"error": {...}}`, which has no HTTP status of its own."""
    message = message_of(None, detail) or "the upstream reported an error mid-stream"
    status = status or _stream_status(detail)
    error = from_status(status, message) if status else UpstreamError(message)
    return refine(error, detail)


def _stream_status(detail: object) -> int | None:
    if not isinstance(detail, dict):
        return None
    code = detail.get("code")
    if isinstance(code, int) and 400 <= code <= 599:
        return code
    error_type = detail.get("type")
    return _STATUS_BY_TYPE.get(error_type) if isinstance(error_type, str) else None


def refine(error: GatewayError, detail: object) -> GatewayError:
    if not isinstance(detail, dict):
        return error
    if detail.get("code") == "model_not_found" or (error.status == 404 and "model" in error.message.lower()):
        error = ModelNotFound(error.message)
    param = detail.get("param")
    if isinstance(param, str):
        error.param = param
    return error


def decode(body: bytes) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return None


def message_of(payload: Any, detail: object) -> str | None:
    """The human message, wherever this server put it."""
    if isinstance(detail, str):
        return detail
    candidates = [detail.get("message") if isinstance(detail, dict) else None]
    if isinstance(payload, dict):
        candidates += [payload.get("message"), payload.get("detail")]
    for candidate in candidates:
        if isinstance(candidate, str) and candidate:
            return candidate
    return None


def short_text(body: bytes) -> str:
    # Non-JSON bodies (proxy HTML pages, plain text) are kept short.
    return body[:500].decode("utf-8", errors="replace").strip()

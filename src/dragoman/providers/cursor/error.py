"""Cursor's errors as Connect writes them: a unary answer's JSON body `{"code",
"message"}`, or a stream's end-of-stream trailer `{"error": {"code", "message"}}`, with
Connect's codes mapped to HTTP statuses by the protocol's own table
(connectrpc.com/docs/protocol, "Error Codes"). `parse` reads the model list's refusals
(`models.py`); no request is sent to the Agent API yet (`request.py`), so
`from_trailer` reads only what a future runtime, or the fake, would answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from dragoman.dialects.retry import retry_after
from dragoman.ir import errors
from dragoman.ir.errors import GatewayError

STATUS_BY_CODE = {
    "canceled": 499,
    "unknown": 500,
    "invalid_argument": 400,
    "deadline_exceeded": 504,
    "not_found": 404,
    "already_exists": 409,
    "permission_denied": 403,
    "resource_exhausted": 429,
    "failed_precondition": 400,
    "aborted": 409,
    "out_of_range": 400,
    "unimplemented": 501,
    "internal": 500,
    "unavailable": 503,
    "data_loss": 500,
    "unauthenticated": 401,
}


def parse(status: int, body: bytes, headers: Mapping[str, str]) -> GatewayError:
    """The error an HTTP error answer means."""
    try:
        found: Any = orjson.loads(body) if body else {}
    except orjson.JSONDecodeError:
        found = {}
    code, message = _code_message(found)
    return errors.from_status(
        STATUS_BY_CODE.get(code or "", status),
        message or f"Cursor answered HTTP {status}" + (f" ({code})" if code else ""),
        retry_after=retry_after(headers),
    )


def from_trailer(trailer: Mapping[str, Any]) -> GatewayError | None:
    """The error an end-of-stream trailer carries; None when the stream ended well."""
    error = trailer.get("error")
    if not isinstance(error, dict):
        return None
    code, message = _code_message(error)
    return errors.from_status(STATUS_BY_CODE.get(code or "", 500), message or f"Cursor failed ({code})")


def render(error: GatewayError) -> tuple[int, dict[str, Any]]:
    """No client speaks Cursor's protocol; kept for the dialect contract."""
    return error.status, {"code": "unknown", "message": error.message}


def _code_message(found: Any) -> tuple[str | None, str | None]:
    if not isinstance(found, dict):
        return None, None
    code, message = found.get("code"), found.get("message")
    return (code if isinstance(code, str) else None), (message if isinstance(message, str) else None)

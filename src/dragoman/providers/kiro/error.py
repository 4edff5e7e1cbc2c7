"""Kiro's errors: HTTP answers `{"message": "...", "__type": "...#ThrottlingException"}`
and exception frames inside a stream (`:exception-type`, payload `{"message"}`).

Known answers (runtimes.md §3g): 400 "Improperly formed request" (an invalid or oversized
body), 402 "You have reached the limit" (the plan's credits are spent), 403 a suspended
user or an expired token, 429 "Too many requests" or "suspicious activity".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from dragoman.dialects.retry import retry_after
from dragoman.ir import errors
from dragoman.ir.errors import GatewayError
from dragoman.providers.kiro.eventstream import Frame

# The status an exception frame stands for, by its type.
EXCEPTION_STATUS = {
    "ThrottlingException": 429,
    "ServiceQuotaExceededException": 402,
    "ValidationException": 400,
    "AccessDeniedException": 403,
    "ResourceNotFoundException": 404,
    "InternalServerException": 500,
}


def parse(status: int, body: bytes, headers: Mapping[str, str]) -> GatewayError:
    """The error an HTTP error answer means, its message kept."""
    kind, message = _facts(body)
    text = message or f"Kiro answered HTTP {status}"
    if kind and kind not in text:
        text = f"{text} ({kind})"
    return errors.from_status(status, text, retry_after=retry_after(headers))


def render(error: GatewayError) -> tuple[int, dict[str, Any]]:
    """Kiro's own shape, for completeness: no client speaks it."""
    return error.status, {"message": error.message, "__type": error.code}


def stream_error(frame: Frame) -> GatewayError:
    """The error an exception or error frame means."""
    kind = frame.event_type or "UnknownException"
    _, message = _facts(frame.payload)
    text = f"Kiro: {message or kind} ({kind})"
    status = EXCEPTION_STATUS.get(kind)
    if status is None:
        return errors.UpstreamError(text)
    return errors.from_status(status, text)


def _facts(body: bytes) -> tuple[str | None, str | None]:
    """(exception type, message) of a JSON error body; the text itself if it is not JSON."""
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError:
        text = body.decode("utf-8", "replace").strip()
        return None, text[:500] or None
    if not isinstance(value, dict):
        return None, None
    kind = value.get("__type") or value.get("reason")
    message = value.get("message") or value.get("Message")
    kind = str(kind).rpartition("#")[2] if isinstance(kind, str) and kind else None
    return kind, message if isinstance(message, str) and message else None

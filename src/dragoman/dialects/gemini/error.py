"""Gemini's google.rpc error envelope <-> GatewayError.

    {"error": {"code": 429, "message": "...", "status": "RESOURCE_EXHAUSTED",
               "details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "34s"}]}}

The wait before a retry comes from a `retry-after` header, a RetryInfo detail, the
quota reset Code Assist names in its ErrorInfo (`quotaResetDelay`, `quotaResetTimeStamp`),
or a "Please retry in 34.07s" in the message, in that order. A daily quota
(a QuotaFailure `quotaId`, or an ErrorInfo `quota_limit`, containing PerDay or Daily)
that names no time waits until midnight Pacific time, when Google resets them.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import orjson

from dragoman.dialects.gemini import wire
from dragoman.dialects.retry import retry_after
from dragoman.ir.errors import GatewayError, from_status

_RETRY_INFO = "type.googleapis.com/google.rpc.RetryInfo"
_ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo"
_QUOTA_FAILURE = "type.googleapis.com/google.rpc.QuotaFailure"
_RETRY_IN_MESSAGE = re.compile(r"retry (?:in|after) (\d+(?:\.\d+)?)\s*(ms|s)\b", re.IGNORECASE)
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)s$")
# Go-style durations in ErrorInfo metadata: "2.46s", "1h2m3.5s", "900ms".
_GO_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")
_UNIT_SECONDS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}
_DAILY = ("PerDay", "Daily")

STATUS_NAMES: dict[int, str] = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    413: "INVALID_ARGUMENT",
    429: "RESOURCE_EXHAUSTED",
    499: "CANCELLED",
    500: "INTERNAL",
    501: "NOT_IMPLEMENTED",
    502: "UNAVAILABLE",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}
# Gemini has no 529. An oversized body keeps 413 (Google's front end answers it so too),
# with INVALID_ARGUMENT as its status name.
_RENDERED_STATUS: dict[int, int] = {529: 503}
_CODES: dict[str, int] = {name: code for code, name in STATUS_NAMES.items() if code not in (413, 502)}
_KEY_INVALID = "API_KEY_INVALID"  # Gemini says 400 for a bad key; it is an auth failure


def parse(status: int, body: bytes, headers: Mapping[str, str]) -> GatewayError:
    """An upstream's error answer."""
    try:
        data: Any = orjson.loads(body)
    except orjson.JSONDecodeError:
        text = body.decode("utf-8", errors="replace").strip()[:500]
        return from_status(status, text or f"Gemini answered HTTP {status}", retry_after=retry_after(headers))
    if isinstance(data, list) and data:
        data = data[0]  # the JSON-array stream form wraps errors in a list
    error = data.get("error") if isinstance(data, dict) else None
    return from_object(error if isinstance(error, dict) else {}, status, retry_after=retry_after(headers))


def from_object(
    error: dict[str, Any], status: int | None = None, *, retry_after: float | None = None
) -> GatewayError:
    """The GatewayError for a google.rpc Status object (also sent inside streams)."""
    if status is None:
        code = error.get("code")
        status = code if isinstance(code, int) else _CODES.get(str(error.get("status")), 500)
    message = error.get("message")
    message = message if isinstance(message, str) and message else f"Gemini answered HTTP {status}"
    details = error.get("details")
    details = details if isinstance(details, list) else []
    if retry_after is None:
        retry_after = _retry_delay(details) or _quota_reset(details) or _retry_in_message(message)
        retry_after = retry_after or _daily_reset(details)
    if any(isinstance(d, dict) and d.get("reason") == _KEY_INVALID for d in details):
        status = 401
    return from_status(status, message, retry_after=retry_after)


def _retry_delay(details: list[Any]) -> float | None:
    for detail in details:
        if isinstance(detail, dict) and detail.get("@type") == _RETRY_INFO:
            match = _DURATION.match(str(detail.get("retryDelay", "")))
            if match:
                return float(match.group(1))
    return None


def _quota_reset(details: list[Any]) -> float | None:
    """Seconds until the quota Code Assist says is exhausted comes back."""
    for metadata in _error_metadata(details):
        delay = _go_duration(str(metadata.get("quotaResetDelay", "")))
        if delay is not None:
            return delay
        try:
            reset = datetime.fromisoformat(str(metadata.get("quotaResetTimeStamp")))
        except ValueError:
            continue
        if reset.tzinfo is not None:
            return max(0.0, reset.timestamp() - time.time())
    return None


def _daily_reset(details: list[Any]) -> float | None:
    """Seconds until midnight Pacific time, if a daily quota was hit."""
    quota_ids = [
        str(violation.get("quotaId", ""))
        for failure in _of_type(details, _QUOTA_FAILURE)
        for violation in failure.get("violations") or ()
        if isinstance(violation, dict)
    ]
    limits = [str(metadata.get("quota_limit", "")) for metadata in _error_metadata(details)]
    if not any(word in name for name in quota_ids + limits for word in _DAILY):
        return None
    today = datetime.fromtimestamp(time.time(), _pacific())
    midnight = (today + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight.timestamp() - today.timestamp()


def _error_metadata(details: list[Any]) -> list[dict[str, Any]]:
    infos = _of_type(details, _ERROR_INFO)
    return [info["metadata"] for info in infos if isinstance(info.get("metadata"), dict)]


def _of_type(details: list[Any], kind: str) -> list[dict[str, Any]]:
    return [detail for detail in details if isinstance(detail, dict) and detail.get("@type") == kind]


def _go_duration(text: str) -> float | None:
    pieces = _GO_DURATION.findall(text)
    if not pieces or "".join(number + unit for number, unit in pieces) != text:
        return None
    return sum(float(number) * _UNIT_SECONDS[unit] for number, unit in pieces)


def _pacific() -> tzinfo:
    try:
        return ZoneInfo("America/Los_Angeles")
    except ZoneInfoNotFoundError:  # no time zone database (Windows without tzdata)
        return timezone(timedelta(hours=-8))


def _retry_in_message(message: str) -> float | None:
    match = _RETRY_IN_MESSAGE.search(message)
    if match is None:
        return None
    value = float(match.group(1))
    return value / 1000 if match.group(2).lower() == "ms" else value


def render(error: GatewayError) -> tuple[int, wire.ErrorBody]:
    """The error a Gemini client receives: HTTP status and google.rpc body."""
    status = _RENDERED_STATUS.get(error.status, error.status)
    body: wire.Status = {"code": status, "message": error.message, "status": status_name(status)}
    if status == 429 and error.retry_after is not None:
        body["details"] = [{"@type": _RETRY_INFO, "retryDelay": _duration(error.retry_after)}]
    return status, {"error": body}


def status_name(status: int) -> str:
    if status in STATUS_NAMES:
        return STATUS_NAMES[status]
    return "INTERNAL" if status >= 500 else "FAILED_PRECONDITION"


def _duration(seconds: float) -> str:
    """A google.protobuf.Duration in JSON: "34s", "34.07s"."""
    text = f"{max(0.0, seconds):.3f}".rstrip("0").rstrip(".")
    return f"{text}s"

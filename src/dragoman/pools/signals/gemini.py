"""Gemini's quota signals, in the error body only (upstreams.md §4.5, §5).

    {"error": {"code": 429, "status": "RESOURCE_EXHAUSTED", "message": "... retry after 37s",
      "details": [
        {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "QUOTA_EXHAUSTED",
         "metadata": {"quotaResetDelay": "1h2m3s", "quotaResetTimeStamp": "2026-11-22T00:00:00Z"}},
        {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "34.07s"}]}}

The first of these that reads is taken, in this order: RetryInfo's `retryDelay` (a
duration string or a protobuf Duration), ErrorInfo's `quotaResetDelay`, its
`quotaResetTimeStamp`, then the message's "after 37s" / "retry in 1.5s".
The same shape comes from the public API and from Code Assist (Gemini CLI logins).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from dragoman.pools.error_body import details, error_object
from dragoman.pools.instants import duration, instant
from dragoman.pools.reading import Hint, Signals

_IN_MESSAGE = re.compile(r"(?:after|retry in)\s+((?:\d+(?:\.\d+)?(?:ms|h|m|s))+)", re.IGNORECASE)


def read_body(headers: Mapping[str, str], body: object, now: float) -> Signals:
    error = error_object(body)
    if not error:
        return Signals()
    at = _retry_delay(error, now) or _quota_reset(error, now) or _from_message(error, now)
    return Signals(hints=(Hint(at),)) if at else Signals()


def _retry_delay(error: Mapping[str, Any], now: float) -> float | None:
    for entry in details(error, "RetryInfo"):
        seconds = duration(entry.get("retryDelay"))
        if seconds is not None:
            return now + seconds
    return None


def _quota_reset(error: Mapping[str, Any], now: float) -> float | None:
    for entry in details(error, "ErrorInfo"):
        metadata = entry.get("metadata")
        if not isinstance(metadata, Mapping):
            continue
        seconds = duration(metadata.get("quotaResetDelay"))
        if seconds is not None:
            return now + seconds
        stamp = metadata.get("quotaResetTimeStamp")
        if isinstance(stamp, str) and (at := instant(stamp)):
            return at
    return None


def _from_message(error: Mapping[str, Any], now: float) -> float | None:
    message = error.get("message")
    match = _IN_MESSAGE.search(message) if isinstance(message, str) else None
    seconds = duration(match[1]) if match else None
    return None if seconds is None else now + seconds

"""OpenAI's rate-limit headers, which xAI and many OpenAI-compatible servers copy.

    x-ratelimit-limit-requests: 5000        x-ratelimit-limit-tokens: 160000
    x-ratelimit-remaining-requests: 4999    x-ratelimit-remaining-tokens: 159976
    x-ratelimit-reset-requests: 12ms        x-ratelimit-reset-tokens: 6m0s

A reset is a Go duration from now ("1s", "6m0s", "20ms"); some servers send seconds
or an instant instead, which are read too. The headers do not say how long a window
is. A window with nothing remaining is exhausted until its reset.
"""

from __future__ import annotations

from collections.abc import Mapping

from dragoman.pools.instants import duration, finite, instant
from dragoman.pools.reading import Signals, UsageWindow

WINDOWS = ("requests", "tokens")
# header name -> (window, field): looked up, not searched for among every header
NAMES = {
    f"x-ratelimit-{field}-{window}": (window, field)
    for window in WINDOWS
    for field in ("limit", "remaining", "reset")
}


def read_headers(headers: Mapping[str, str], body: object, now: float) -> Signals:
    found: dict[str, dict[str, str]] = {}
    for name, (window, field) in NAMES.items():
        value = headers.get(name)
        if value is not None:
            found.setdefault(window, {})[field] = value.strip()
    windows = tuple(_window(name, fields, now) for name, fields in found.items())
    return Signals(windows=windows) if windows else Signals()


def _window(name: str, fields: dict[str, str], now: float) -> UsageWindow:
    limit, remaining = finite(fields.get("limit")), finite(fields.get("remaining"))
    used = min(1.0, max(0.0, 1 - remaining / limit)) if limit and remaining is not None else None
    rejected = remaining is not None and remaining <= 0
    return UsageWindow(name, None, None, used, _reset(fields.get("reset"), now), rejected)


def _reset(value: str | None, now: float) -> float | None:
    if not value:
        return None
    seconds = duration(value)
    # A bare number this large is an instant, not seconds from now.
    if seconds is not None and seconds < 1e9:
        return now + seconds
    return instant(value)

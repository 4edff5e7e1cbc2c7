"""`Retry-After`, the one signal every upstream may send: seconds or an HTTP date.

OpenAI also sends `retry-after-ms`, which is more precise when both are there. It is a
fallback: a reset the answer states more specifically (a rejected window, a body's
`resets_at`) wins over it.
"""

from __future__ import annotations

from collections.abc import Mapping

from dragoman.pools.instants import finite, instant
from dragoman.pools.reading import Hint, Signals

NONE = Signals()


def read(headers: Mapping[str, str], body: object, now: float) -> Signals:
    """The time `retry-after-ms` or `retry-after` points at, as a fallback hint."""
    at = retry_at(headers, now)
    return NONE if at is None else Signals(fallback=(Hint(at),))


def retry_at(headers: Mapping[str, str], now: float) -> float | None:
    milliseconds = finite(headers.get("retry-after-ms"))
    if milliseconds is not None and milliseconds >= 0:
        return now + milliseconds / 1000
    value = headers.get("retry-after")
    if value is None:
        return None
    seconds = finite(value)
    if seconds is not None:
        return now + seconds if seconds >= 0 else None
    return instant(value)

"""Times as upstreams write them, turned into epoch seconds against an injected `now`.

Instants: unix seconds or milliseconds ("1785956400", "1785956400000"), RFC 3339
("2026-11-21T18:00:00Z"), HTTP dates ("Sat, 21 Nov 2026 18:00:00 GMT").
Durations: Go and protobuf strings ("37s", "1.5s", "6m0s", "20ms", "1h2m3s"), bare
seconds ("120"), and protobuf Duration objects ({"seconds": 37, "nanos": 5e8}).
Nothing here reads the clock, so every answer is exact under test.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

# Unix seconds pass 1e11 only in the year 5138: anything larger is milliseconds.
_MILLISECONDS_FROM = 1e11
_UNITS: Mapping[str, float] = {
    "ns": 1e-9,
    "us": 1e-6,
    "µs": 1e-6,
    "ms": 1e-3,
    "s": 1.0,
    "m": 60.0,
    "h": 3600.0,
    "d": 86400.0,
}
# Longer units first, so "ms" is never read as minutes followed by a stray "s".
_PART = r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h|d)"
_DURATION = re.compile(f"(?:{_PART})+")
_PARTS = re.compile(_PART)


def epoch(value: float) -> float:
    """Epoch seconds from a unix timestamp in seconds or milliseconds."""
    return value / 1000 if value >= _MILLISECONDS_FROM else value


def instant(text: str) -> float | None:
    """Epoch seconds of an instant in any of the three spellings, None if unreadable."""
    text = text.strip()
    number = finite(text)
    if number is not None:
        return epoch(number) if number > 0 else None
    return _rfc3339(text) if text[:4].isdigit() else _http_date(text)


def duration(value: object) -> float | None:
    """Seconds in a duration string, a bare number or a protobuf Duration object."""
    if isinstance(value, Mapping):
        return _protobuf(value)
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    if not isinstance(value, str):
        return float(value) if math.isfinite(value) and value >= 0 else None
    text = value.strip().lower()
    if not text[-1:].isalpha():  # a bare number: seconds
        number = finite(text)
        return number if number is not None and number >= 0 else None
    if not _DURATION.fullmatch(text):
        return None
    return sum(float(amount) * _UNITS[unit] for amount, unit in _PARTS.findall(text))


def finite(text: object) -> float | None:
    """A finite number from a header value or JSON number, None otherwise."""
    if isinstance(text, bool):
        return None
    try:
        number = float(text) if isinstance(text, str | int | float) else math.nan
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _protobuf(value: Mapping[str, object]) -> float | None:
    seconds, nanos = finite(value.get("seconds", 0)), finite(value.get("nanos", 0))
    if seconds is None or nanos is None:
        return None
    total = seconds + nanos / 1e9
    return total if total >= 0 else None


def _rfc3339(text: str) -> float | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    # An instant without an offset is read as UTC, as every upstream here means it.
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def _http_date(text: str) -> float | None:
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()

"""A Claude subscription's usage windows, from the unified rate-limit headers Anthropic
puts on every answer to a Pro/Max token (upstreams.md §2.3).

    anthropic-ratelimit-unified-5h-status: allowed        (allowed | allowed_warning | rejected)
    anthropic-ratelimit-unified-5h-utilization: 0.42      (a fraction of the window used)
    anthropic-ratelimit-unified-5h-reset: 1785956400      (epoch seconds)

Windows seen: `5h`, `7d`, model-scoped ones such as `7d-sonnet` or `7d_oi`, and
`overage` (extra usage). Any window found is reported, the known ones first.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from dragoman.providers.subscription import UsageWindow

_FIELD = re.compile(r"^anthropic-ratelimit-unified-(.+)-(status|utilization|reset)$")
_ORDER: tuple[str, ...] = ("5h", "7d")


def usage_windows(headers: Mapping[str, str]) -> list[UsageWindow]:
    """Each window found, with what the answer said of it (`status`, `used_percent`,
    `resets_at`; a field it did not send is absent)."""
    found: dict[str, UsageWindow] = {}
    for name, value in headers.items():
        match = _FIELD.match(name.lower())
        if match is None:
            continue
        window, field = match.groups()
        _read(found.setdefault(window, {"name": window}), field, value.strip())
    return sorted(found.values(), key=_rank)


def _read(entry: UsageWindow, field: str, value: str) -> None:
    number = _number(value)
    if field == "status" and value:
        entry["status"] = value
    elif field == "utilization" and number is not None:
        entry["used_percent"] = round(number * 100, 1)
    elif field == "reset" and number is not None:
        entry["resets_at"] = number


def _number(value: str) -> float | None:
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _rank(entry: UsageWindow) -> tuple[int, str]:
    window = entry.get("name", "")
    return (_ORDER.index(window) if window in _ORDER else len(_ORDER), window)

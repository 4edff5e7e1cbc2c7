"""Anthropic's rate-limit headers, on every answer (upstreams.md §2.3, §3).

Subscription (OAuth) answers carry the unified windows:

    anthropic-ratelimit-unified-status: rejected            the request's own verdict
    anthropic-ratelimit-unified-reset: 1785956400
    anthropic-ratelimit-unified-5h-status: allowed          allowed | allowed_warning | rejected
    anthropic-ratelimit-unified-5h-utilization: 0.42        a fraction of the window
    anthropic-ratelimit-unified-7d-reset: 2026-11-28T18:00:00Z
    anthropic-ratelimit-unified-7d_oi-status: rejected      a model family's weekly window

A window is named `<length><unit>` and, for a model family's own window, a suffix after
`_` or `-` (`7d_oi`, `7d-sonnet`). Resets come as unix seconds, RFC 3339 or HTTP dates.
`overage-*` describes extra usage, not a limit, and is left out.

API-key answers carry per-minute windows instead:
`anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-{limit,remaining,reset}`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from dragoman.pools.families import anthropic_family
from dragoman.pools.instants import finite, instant
from dragoman.pools.reading import Hint, Signals, UsageWindow

UNIFIED = "anthropic-ratelimit-unified-"
API_KEY_WINDOWS = ("requests", "tokens", "input-tokens", "output-tokens")
# header name -> (window, field): looked up, not searched for among every header
API_KEY_NAMES = {
    f"anthropic-ratelimit-{window}-{field}": (window, field)
    for window in API_KEY_WINDOWS
    for field in ("limit", "remaining", "reset")
}
FIELDS = frozenset({"status", "utilization", "reset"})
NOT_LIMITS = frozenset({"overage"})
_SHAPE = re.compile(r"(\d+)([mhd])(?:[-_](.+))?")
_UNIT_SECONDS: Mapping[str, int] = {"m": 60, "h": 3600, "d": 86400}
# Anthropic's API-key limits are per minute (RPM, ITPM, OTPM).
API_KEY_WINDOW = 60

Fields = dict[str, str]


def read_unified(headers: Mapping[str, str], body: object, now: float) -> Signals:
    """The unified windows; the overall verdict only when no window explains a rejection."""
    found: dict[str, Fields] = {}
    for name, value in headers.items():
        if name.startswith(UNIFIED):
            window, _, field = name[len(UNIFIED) :].rpartition("-")
            if field in FIELDS and window not in NOT_LIMITS:
                found.setdefault(window, {})[field] = value.strip()
    overall = found.pop("", {})
    windows = [_unified_window(name, fields) for name, fields in found.items()]
    if overall.get("status") != "rejected":
        return Signals(windows=tuple(windows)) if windows else Signals()
    reset = _reset(overall)
    if not any(window.rejected for window in windows):
        windows.append(UsageWindow("unified", None, None, None, reset, True))
    # Explained by its windows, the verdict's reset still stands in for one they lack.
    return Signals(windows=tuple(windows), fallback=(Hint(reset),) if reset else ())


def read_api_key(headers: Mapping[str, str], body: object, now: float) -> Signals:
    """The per-minute request and token windows of an API-key account."""
    found: dict[str, Fields] = {}
    for name, (window, field) in API_KEY_NAMES.items():
        value = headers.get(name)
        if value is not None:
            found.setdefault(window, {})[field] = value.strip()
    if not found:
        return Signals()
    return Signals(windows=tuple(_counted_window(name, fields) for name, fields in found.items()))


def _unified_window(name: str, fields: Fields) -> UsageWindow:
    seconds, family = _shape(name)
    used = finite(fields.get("utilization"))
    status = fields.get("status")
    # The status is the verdict; utilization decides only when no status came.
    rejected = status == "rejected" if status else used is not None and used >= 1
    return UsageWindow(name, family, seconds, _fraction(used), _reset(fields), rejected)


def _counted_window(name: str, fields: Fields) -> UsageWindow:
    limit, remaining = finite(fields.get("limit")), finite(fields.get("remaining"))
    used = 1 - remaining / limit if limit and remaining is not None else None
    resets_at = instant(fields["reset"]) if "reset" in fields else None
    rejected = remaining is not None and remaining <= 0
    return UsageWindow(name, None, API_KEY_WINDOW, _fraction(used), resets_at, rejected)


def _shape(name: str) -> tuple[int | None, str | None]:
    """Length in seconds and model family from a window name: `7d_oi` -> (604800, "fable")."""
    match = _SHAPE.fullmatch(name)
    if match is None:
        return None, None
    family = anthropic_family(match[3]) if match[3] else None
    return int(match[1]) * _UNIT_SECONDS[match[2]], family


def _reset(fields: Fields) -> float | None:
    value = fields.get("reset")
    return instant(value) if value else None


def _fraction(used: float | None) -> float | None:
    return None if used is None else min(1.0, max(0.0, used))

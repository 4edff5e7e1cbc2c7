"""The Codex backend's quota signals: `x-codex-*` headers on every answer, and the 429 body.

    x-codex-primary-used-percent: 12.5          a percentage
    x-codex-primary-window-minutes: 300         the window's length: what names it
    x-codex-primary-reset-after-seconds: 7200   preferred: independent of our clock
    x-codex-primary-reset-at: 1785956400        unix seconds, or milliseconds
    x-codex-secondary-...                       the same for the second window
    x-codex-bengalfox-primary-...               a limit family's own windows
    x-codex-active-limit: codex_bengalfox       the family this request charged

Gotchas (pools.md §3a): "primary" is not always the 5-hour window (primary = 10080
minutes has been captured), so windows are named by their length; a window with
nothing in it (0 minutes, 0 %, no reset) is absent, as free plans send their second
window; the unprefixed family mirrors whichever limit the request charged, so when
`x-codex-active-limit` names a family its numbers are that family's, not the account's.

Body: `{"error": {"type": "usage_limit_reached", "resets_at": ..., "resets_in_seconds": ...}}`,
on a 429 or as an error event inside a stream.
"""

from __future__ import annotations

from collections.abc import Mapping

from dragoman.pools.error_body import error_object
from dragoman.pools.families import codex_family
from dragoman.pools.instants import epoch, finite
from dragoman.pools.reading import Hint, Signals, UsageWindow

PREFIX = "x-codex"
DEFAULT_LIMIT = "codex"
ANCHORS = ("-primary-used-percent", "-secondary-used-percent")
WHICH = ("primary", "secondary")
USAGE_LIMIT = "usage_limit_reached"
_MINUTES_PER = ((1440, "d"), (60, "h"))


def read_headers(headers: Mapping[str, str], body: object, now: float) -> Signals:
    """Every limit family's windows, each attributed to its family (None: the account)."""
    active = _active_family(headers)
    limits = _limit_ids(headers)
    windows: list[UsageWindow] = []
    for limit_id, prefix in limits.items():
        family = codex_family(limit_id)
        if limit_id == DEFAULT_LIMIT and active is not None:
            if any(codex_family(other) == active for other in limits):
                continue  # a copy of the active family's own headers
            family = active
        windows += _windows(headers, prefix, family, now)
    return Signals(windows=tuple(windows)) if windows else Signals()


def read_body(headers: Mapping[str, str], body: object, now: float) -> Signals:
    """The reset of a `usage_limit_reached` error, for the family the request charged."""
    error = error_object(body)
    if USAGE_LIMIT not in (error.get("type"), error.get("code")):
        return Signals()
    after = finite(error.get("resets_in_seconds"))
    stamp = finite(error.get("resets_at"))
    at = now + after if after is not None and after >= 0 else epoch(stamp) if stamp else None
    return Signals(hints=(Hint(at, _active_family(headers)),)) if at else Signals()


def _limit_ids(headers: Mapping[str, str]) -> dict[str, str]:
    """Limit id -> header prefix, for every family that reports a window."""
    found: dict[str, str] = {}
    for name in headers:
        if name.startswith(PREFIX):
            for anchor in ANCHORS:
                if name.endswith(anchor):
                    prefix = name[: -len(anchor)]
                    found[prefix[2:].replace("-", "_")] = prefix
    return found


def _active_family(headers: Mapping[str, str]) -> str | None:
    active = headers.get("x-codex-active-limit")
    return codex_family(active) if active else None


def _windows(headers: Mapping[str, str], prefix: str, family: str | None, now: float) -> list[UsageWindow]:
    found = (_window(headers, f"{prefix}-{which}", which, family, now) for which in WHICH)
    return [window for window in found if window is not None]


def _window(
    headers: Mapping[str, str], prefix: str, which: str, family: str | None, now: float
) -> UsageWindow | None:
    used = finite(headers.get(f"{prefix}-used-percent"))
    minutes = finite(headers.get(f"{prefix}-window-minutes"))
    stamp = finite(headers.get(f"{prefix}-reset-at"))
    if not used and not minutes and not stamp:
        return None
    after = finite(headers.get(f"{prefix}-reset-after-seconds"))
    resets_at = now + after if after is not None and after >= 0 else epoch(stamp) if stamp else None
    seconds = round(minutes * 60) if minutes and minutes > 0 else None
    fraction = None if used is None else min(1.0, max(0.0, used / 100))
    rejected = used is not None and used >= 100
    return UsageWindow(_name(minutes, which), family, seconds, fraction, resets_at, rejected)


def _name(minutes: float | None, which: str) -> str:
    """A window named by its length: 300 -> "5h", 10080 -> "7d", 15 -> "15m"."""
    if not minutes or minutes <= 0:
        return which
    whole = round(minutes)
    for size, unit in _MINUTES_PER:
        if whole % size == 0:
            return f"{whole // size}{unit}"
    return f"{whole}m"

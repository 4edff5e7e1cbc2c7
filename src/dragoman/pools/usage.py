"""An answer's usage windows as the runtime state keeps them (`dragoman.state.Window`).

Read from every answer, not only from 429s: a window at 100% takes the account out
before the 429 comes, and `headroom` orders accounts by what their windows have left.
A window the upstream calls rejected counts as fully used whatever percent it gives.
A window without a reset time is not kept: nothing could say when it frees, and the
next answer reports it again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from dragoman.pools.reading import Reading, UsageWindow
from dragoman.state.records import WHOLE_ACCOUNT, Window


def windows(account: str, reading: Reading, now: float) -> tuple[Window, ...]:
    """The windows of `reading` worth keeping, for `account`, observed at `now`."""
    kept = (_window(account, window, now) for window in reading.windows)
    return tuple(window for window in kept if window is not None)


def _window(account: str, window: UsageWindow, now: float) -> Window | None:
    if window.resets_at is None or (window.used is None and not window.rejected):
        return None
    percent = 100.0 if window.rejected else max(0.0, min(100.0, (window.used or 0.0) * 100.0))
    family = window.family or WHOLE_ACCOUNT
    return Window(account, family, window.name, percent, float(window.seconds or 0), window.resets_at, now)


def from_endpoint(account: str, found: Iterable[Mapping[str, Any]], now: float) -> tuple[Window, ...]:
    """A usage endpoint's windows (`providers.subscription.UsageWindow`: name,
    used_percent, resets_at, status) as the state keeps them: those with a reset, but
    not one the account may overrun (Kiro's billed `overage`)."""
    kept = []
    for window in found:
        used, resets_at = window.get("used_percent"), window.get("resets_at")
        if not isinstance(used, int | float) or not isinstance(resets_at, int | float):
            continue
        if window.get("status") == "overage":
            continue
        name = str(window.get("name", ""))
        kept.append(Window(account, WHOLE_ACCOUNT, name, float(used), 0.0, float(resets_at), now))
    return tuple(kept)

"""What one upstream answer says about an account's quota, in one shape for every upstream.

Each provider's readers (`pools.signals`) report usage windows and reset hints; `conclude`
folds them into one `Reading`: the windows to remember, and when the account (or only
one model family of it) may be used again. The precedence, strongest first:

1. windows the upstream calls exhausted: the latest reset among them, because a
   request is refused until every exhausted window has reset;
2. resets the answer states outright (Codex's `resets_at`, Gemini's RetryInfo);
3. `Retry-After`, the weakest and the most widely sent.

A rejection confined to one model family's windows (Anthropic's `7d_oi`, a Codex limit
family) cools that family only; any account-wide window exhausted cools the account.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class UsageWindow:
    """One quota window as an answer reported it."""

    name: str  # how it is known: "5h", "7d", "requests", "tokens", "unified"
    family: str | None  # the model family it limits; None for the whole account
    seconds: int | None  # its length; None when the upstream does not say
    used: float | None  # fraction used, 0..1; None when not reported
    resets_at: float | None  # epoch seconds
    rejected: bool  # requests are refused in this window until it resets


@dataclass(frozen=True, slots=True)
class Hint:
    """A reset an answer states outside its windows, for the account or one family."""

    at: float  # epoch seconds
    family: str | None = None


@dataclass(frozen=True, slots=True)
class Signals:
    """What one reader found. `fallback` hints count only when nothing else does."""

    windows: tuple[UsageWindow, ...] = ()
    hints: tuple[Hint, ...] = ()
    fallback: tuple[Hint, ...] = ()


@dataclass(frozen=True, slots=True)
class Reading:
    """Everything an answer said about quota."""

    windows: tuple[UsageWindow, ...] = ()
    reset_at: float | None = None  # when to come back, if the answer says
    family: str | None = None  # set when the block is confined to one model family
    exhausted: bool = False  # a window is at its limit, even on a successful answer


NOTHING = Reading()


def conclude(found: Iterable[Signals]) -> Reading:
    """One Reading from every reader's Signals, by the precedence above."""
    parts = tuple(found)
    windows = tuple(window for part in parts for window in part.windows)
    hints = tuple(hint for part in parts for hint in part.hints)
    fallback = tuple(hint for part in parts for hint in part.fallback)
    rejected = [window for window in windows if window.rejected]
    if rejected:
        return _exhausted(windows, rejected, hints, fallback)
    if hints:
        family = _shared_family(hints)
        return Reading(windows, max(hint.at for hint in hints), family)
    if fallback:
        return Reading(windows, max(hint.at for hint in fallback))
    return Reading(windows) if windows else NOTHING


def _exhausted(
    windows: tuple[UsageWindow, ...],
    rejected: list[UsageWindow],
    hints: tuple[Hint, ...],
    fallback: tuple[Hint, ...],
) -> Reading:
    family = _blocked_family(rejected)
    resets = [window.resets_at for window in rejected if window.family == family and window.resets_at]
    resets += [hint.at for hint in hints if hint.family in (family, None)]
    if not resets:
        resets = [hint.at for hint in fallback]
    return Reading(windows, max(resets) if resets else None, family, exhausted=True)


def _blocked_family(rejected: list[UsageWindow]) -> str | None:
    """None when an account-wide window is exhausted; else the rejected family.

    Windows of several families are rarely rejected at once (each family's windows
    ride on that family's answers); the one resetting last is then taken, so the
    block is never shorter than the answer asked for."""
    if any(window.family is None for window in rejected):
        return None
    latest = max(rejected, key=lambda window: window.resets_at or 0.0)
    return latest.family


def _shared_family(hints: tuple[Hint, ...]) -> str | None:
    families = {hint.family for hint in hints}
    return families.pop() if len(families) == 1 else None

"""Which accounts of a pool may take a request, decided before any strategy orders them.

An account is out, for the first of these reasons that holds:

    disabled    the user turned it off
    owned       the conversation's continuation state belongs to another account
    cooling     a cooldown for the whole account, the model's family or the model
    unhealthy   the upstream refuses it until the user acts (402/403, a dead login)
    model_off   the account does not serve this model
    busy        as many requests in flight as its `max_concurrent`
    quota       a window (the account's, or the model family's) used at or above the
                reserve percent

Each refusal is kept as an `Exclusion` (`pools.exclusion`), which says when the
account may be back, so that a request no account can take gets a 429 naming every
account and why.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from dragoman.pools.exclusion import BUSY_RETRY, Exclusion, cooling
from dragoman.pools.members import Member, R
from dragoman.state.protocols import Health, InFlight, Windows
from dragoman.state.records import Cooldown, Window


class Gate:
    """The eligibility check over one backend's state, for one reserve percent."""

    __slots__ = ("health", "in_flight", "reserve", "windows")

    def __init__(self, health: Health, in_flight: InFlight, windows: Windows, reserve: float) -> None:
        self.health = health
        self.in_flight = in_flight
        self.windows = windows
        self.reserve = reserve

    def check(self, member: Member[R], now: float, owner: str | None) -> Exclusion | None:
        """None when `member` may serve; it then carries what it measured (in flight,
        its tightest window's use and reset) for the strategies to order by."""
        account = member.account
        if not member.enabled:
            return Exclusion(account, "disabled")
        if owner is not None and account != owner:
            return Exclusion(account, "owned", detail=owner)
        cooldown = self.health.blocking(account, *member.scopes)
        if cooldown is not None:
            return _cooling(member, cooldown)
        if member.counted:  # a limit to check, or least-used to order by
            busy = member.busy = self.in_flight.count(account)
            if member.limit is not None and busy >= member.limit:
                return Exclusion(account, "busy", now + BUSY_RETRY, amount=member.limit)
        found = self.windows.of(account)
        if not found:
            member.used, member.resets = 0.0, math.inf
            return None
        return self._quota(member, found, now)

    def _quota(self, member: Member[R], found: Sequence[Window], now: float) -> Exclusion | None:
        window = tightest(found, member.family, now)
        if window is None:
            member.used, member.resets = 0.0, math.inf
            return None
        member.used, member.resets = window.used_percent, window.resets_at
        if window.used_percent < self.reserve:
            return None
        return Exclusion(member.account, "quota", window.resets_at, window.name, window.used_percent)


def _cooling(member: Member[R], cooldown: Cooldown) -> Exclusion:
    """The same cooldown record excludes with the same value: a long cooldown costs
    no allocation per request."""
    out = member.cooled_out
    if member.cooled is not cooldown or out is None:
        out = member.cooled_out = cooling(cooldown)
        member.cooled = cooldown
    return out


def tightest(windows: Sequence[Window], family: str, now: float) -> Window | None:
    """The most used window that limits `family` (the account's own windows limit every
    family), not yet reset; of two as used, the one resetting first."""
    best: Window | None = None
    used, resets = -1.0, math.inf
    for window in windows:
        if window.resets_at <= now or (window.family and window.family != family):
            continue
        percent = window.used_percent
        if percent > used or (percent == used and window.resets_at < resets):
            best, used, resets = window, percent, window.resets_at
    return best

"""A session's `auto` tier only rises, and stays for a TTL renewed by each request, so a
conversation is not moved to a cheaper model (throwing away its prompt cache and its
thinking signatures) when one turn looks simpler than the last.

Kept in the runtime state's Bindings under keys of their own (`tier:` prefixed session,
profile and value, as the pools keep continuation owners under `owned:`): a value never
names an account, so account listings never count it, and both backends keep it.
"""

from __future__ import annotations

from dragoman.config.routing import TierName
from dragoman.policy.tiers import RANK, TIERS
from dragoman.state.protocols import Bindings

PREFIX = "tier:"


def settle(
    bindings: Bindings | None, session: str | None, profile: str, tier: TierName, ttl: float
) -> tuple[TierName, bool]:
    """The tier to serve (never below the session's) and whether the session's held it
    up; the session then holds the result for `ttl` seconds."""
    if bindings is None or session is None:
        return tier, False
    key, scope = PREFIX + session, PREFIX + profile
    held = _tier(bindings.get(key, scope))
    kept = held is not None and RANK[held] > RANK[tier]
    if kept and held is not None:
        tier = held
    bindings.bind(key, scope, PREFIX + tier, ttl)
    return tier, kept


def _tier(value: str | None) -> TierName | None:
    if value is None:
        return None
    name = value.removeprefix(PREFIX)
    return next((tier for tier in TIERS if tier == name), None)

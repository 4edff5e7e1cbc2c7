"""The tiers `auto` picks from, in order, and how `auto` names a profile."""

from __future__ import annotations

from typing import get_args

from dragoman.config.routing import TierName

TIERS: tuple[TierName, ...] = get_args(TierName)
RANK = {tier: number for number, tier in enumerate(TIERS)}
AUTO = "auto"


def higher(first: TierName, second: TierName) -> TierName:
    """The higher of two tiers."""
    return first if RANK[first] >= RANK[second] else second


def above(tier: TierName) -> TierName:
    """One tier up (the top stays where it is)."""
    return TIERS[min(RANK[tier] + 1, len(TIERS) - 1)]


def profile_of(model: str) -> str | None:
    """`auto` -> "" (no profile), `auto/<name>` -> name, anything else None."""
    if model == AUTO:
        return ""
    head, slash, name = model.partition("/")
    return name if slash and head == AUTO else None

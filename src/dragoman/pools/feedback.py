"""What an upstream's answer does to its account and to the session's binding.

    a Decision that cools   Health.strike at the Decision's scope, until its end
                            (a reset's jitter is already in it: `pools.backoff`),
                            and the binding goes: the account's every binding for an
                            account-wide cooldown, this session's for a narrower one
    unhealthy / model off   the same, until the user resets it / for the model's while
    refresh, pass, keep     nothing cools and the binding stays
    a success               Health.recovered at every scope the model is checked under

A 429 without a reset in a burst of requests already in flight escalates the ladder
once: the level and the end of the cooldown already open are passed to `classify`, and
`Health.strike` keeps an active cooldown that a same-kind strike would not lengthen.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from typing import Any

from dragoman.pools.members import Candidate
from dragoman.pools.outcomes import Action, Decision
from dragoman.state.protocols import Health
from dragoman.state.records import WHOLE_ACCOUNT, CooldownKind

# The cooldown each action records; actions not here record none.
KINDS: Mapping[Action, CooldownKind] = {"cool": "quota", "unhealthy": "unhealthy", "model_off": "model_off"}


def cooldown_kind(decision: Decision, transient_rules: Collection[str]) -> CooldownKind | None:
    kind = KINDS.get(decision.action)
    return "transient" if kind == "quota" and decision.rule in transient_rules else kind


def scope_of(candidate: Candidate[Any], decision: Decision) -> str:
    """The Health scope a Decision cools on the candidate's account."""
    if decision.scope == "family":
        return decision.family or candidate.family or WHOLE_ACCOUNT
    if decision.scope == "model":
        return candidate.scope
    return WHOLE_ACCOUNT


def history(health: Health, candidate: Candidate[Any], now: float) -> tuple[int, float | None]:
    """The backoff level the next quota failure starts from, and the end of a quota
    cooldown already open, over the scopes the candidate's model is checked under."""
    scopes = (WHOLE_ACCOUNT, candidate.family, candidate.scope)
    level, until = 0, -math.inf
    for record in health.cooldowns(candidate.account):
        if record.kind != "quota" or record.scope not in scopes:
            continue
        if record.active(now):
            until = max(until, record.until)
        else:
            level = max(level, record.level + 1)
    return level, (until if until > now else None)


def recovered(health: Health, candidate: Candidate[Any]) -> None:
    health.recovered(candidate.account, WHOLE_ACCOUNT)
    if candidate.family:
        health.recovered(candidate.account, candidate.family)
    health.recovered(candidate.account, candidate.scope)

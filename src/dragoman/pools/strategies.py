"""The strategies: how the eligible accounts of a pool's best tier are ordered.

    fill-first   configured order: one account takes everything until it is blocked,
                 which staggers subscription windows instead of draining them together
    round-robin  a cursor per pool, moved on by every choice it makes
    weighted     smooth weighted round-robin (nginx's): over any run of requests each
                 account gets its share of the weights, interleaved rather than in bursts
    least-used   fewest requests in flight, then the least used tightest window
    headroom     most quota left in the tightest window, ties to the earliest reset

Each takes the pool (for its cursor and running scores) and the tier, in configured
order, and returns the order to try. Python's sort is stable, so ties keep the
configured order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from operator import attrgetter
from typing import Any

from dragoman.pools.members import Member, Pool
from dragoman.pools.settings import StrategyName

Order = Callable[[Pool[Any], list[Member[Any]]], list[Member[Any]]]

_CURRENT = attrgetter("current")


def fill_first(pool: Pool[Any], tier: list[Member[Any]]) -> list[Member[Any]]:
    return tier


def round_robin(pool: Pool[Any], tier: list[Member[Any]]) -> list[Member[Any]]:
    start = pool.cursor % len(tier)
    pool.cursor += 1
    return tier[start:] + tier[:start] if start else tier


def weighted(pool: Pool[Any], tier: list[Member[Any]]) -> list[Member[Any]]:
    """Each account's score grows by its weight; the highest is chosen and pays back the
    tier's total. The others follow by score: the order the next choices would take."""
    total = 0.0
    best = tier[0]
    for member in tier:
        member.current += member.weight
        total += member.weight
        if member.current > best.current:
            best = member
    best.current -= total
    rest = [member for member in tier if member is not best]
    rest.sort(key=_CURRENT, reverse=True)
    rest.insert(0, best)
    return rest


def least_used(pool: Pool[Any], tier: list[Member[Any]]) -> list[Member[Any]]:
    tier.sort(key=_load)
    return tier


def headroom(pool: Pool[Any], tier: list[Member[Any]]) -> list[Member[Any]]:
    tier.sort(key=_headroom)
    return tier


def _load(member: Member[Any]) -> tuple[int, float]:
    return member.busy, member.used


def _headroom(member: Member[Any]) -> tuple[float, float]:
    return member.used, member.resets


STRATEGIES: Mapping[StrategyName, Order] = {
    "fill-first": fill_first,
    "round-robin": round_robin,
    "weighted": weighted,
    "least-used": least_used,
    "headroom": headroom,
}

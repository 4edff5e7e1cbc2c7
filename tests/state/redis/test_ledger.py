"""Counters across replicas: budgets hold, spend outlives a replica."""

from __future__ import annotations

import asyncio

from dragoman.state import Period, Reservation, State
from tests.state.redis.conftest import Replicas

MONTH = Period.fixed("month")


async def test_200_concurrent_reservations_from_two_replicas_never_overshoot(replicas: Replicas) -> None:
    first, second = await replicas(2)

    async def burst(state: State) -> list[Reservation]:
        results = await asyncio.gather(
            *(state.counters.reserve("key:team:usd", 1.0, 50.0, MONTH) for _ in range(100))
        )
        return [result for result in results if isinstance(result, Reservation)]

    mine, theirs = await asyncio.gather(burst(first), burst(second))
    assert len(mine) + len(theirs) == 50 and mine and theirs, (len(mine), len(theirs))
    assert await second.counters.used("key:team:usd", MONTH) == 50.0
    for held in mine[:5]:
        await first.counters.release(held)
    await second.counters.settle(theirs[0], 0.5)
    await asyncio.sleep(0.05)  # each replica sends its settlements within a few milliseconds
    assert await first.counters.used("key:team:usd", MONTH) == 44.5
    assert isinstance(await second.counters.reserve("key:team:usd", 5.5, 50.0, MONTH), Reservation)


async def test_spend_survives_a_replica_restart(replicas: Replicas) -> None:
    (first,) = await replicas(1)
    held = await first.counters.reserve("key:alice:usd", 5.0, 10.0, MONTH)
    assert isinstance(held, Reservation)
    await first.counters.settle(held, 3.25)
    await first.stop()
    (restarted,) = await replicas(1)
    assert await restarted.counters.used("key:alice:usd", MONTH) == 3.25

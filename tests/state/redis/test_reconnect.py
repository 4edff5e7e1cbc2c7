"""Redis going away while replicas serve: requests go on, state is re-synced after.

A restart of Redis is simulated on the shared server without stopping it: every
connection of a replica killed (CLIENT KILL by id), and for a Redis that came back
empty, the test's keys deleted too.
"""

from __future__ import annotations

import asyncio
import time

import redis.asyncio as aioredis

from dragoman.state import WHOLE_ACCOUNT, Period, Reservation
from tests.state.redis.conftest import Replicas, cut_off, within

WEEK = 7 * 86_400
DAY = Period.fixed("day")


async def test_a_replica_cut_off_serves_on_and_shares_what_it_learned_once_back(
    replicas: Replicas, admin: aioredis.Redis
) -> None:
    cut, other = await replicas(2)
    assert await cut_off(admin, cut) >= 2  # the subscriber's connection and the pool's
    began = time.monotonic()
    assert await cut.in_flight.acquire("alice", 4)
    assert isinstance(await cut.counters.reserve("key:alice:usd", 1.0, 10.0, DAY), Reservation)
    struck = cut.health.strike("alice", "oi", "quota", "weekly", until=time.time() + WEEK)
    cut.bindings.bind("s1", "m", "alice", ttl=3600)
    assert time.monotonic() - began < 0.5  # no request waited for Redis to come back
    assert cut.health.blocking("alice", "oi") == struck  # reads answer from memory
    seen, took = await within(5.0, lambda: other.health.blocking("alice", "oi"))
    assert seen == struck, f"not shared {took:.2f} s after the cut"
    assert (await within(1.0, lambda: other.bindings.get("s1", "m")))[0] == "alice"
    # Back on Redis: the slot taken while cut off is counted for every replica.
    assert (await within(3.0, lambda: other.in_flight.count("alice") == 1))[0]
    assert [await other.in_flight.acquire("alice", 2) for _ in range(2)] == [True, False]


async def test_changes_made_elsewhere_while_cut_off_arrive_after(
    replicas: Replicas, admin: aioredis.Redis
) -> None:
    cut, other = await replicas(2)
    other.health.strike("bob", WHOLE_ACCOUNT, "unhealthy", "403")
    assert (await within(1.0, lambda: cut.health.blocking("bob")))[0]
    await cut_off(admin, cut)
    other.health.reset("bob")
    other.bindings.bind("s2", "m", "bob", ttl=3600)
    cleared, took = await within(5.0, lambda: cut.health.blocking("bob") is None)
    assert cleared, f"still cooling {took:.2f} s after the cut"
    assert cut.bindings.get("s2", "m") == "bob"


async def test_a_redis_that_came_back_empty_gets_the_replicas_state_back(
    replicas: Replicas, admin: aioredis.Redis, prefix: str
) -> None:
    first, second = await replicas(2)
    struck = first.health.strike("alice", WHOLE_ACCOUNT, "quota", "5h", until=time.time() + 3600)
    second.bindings.bind("s1", "m", "alice", ttl=3600)
    assert (await within(1.0, lambda: second.health.blocking("alice")))[0]
    assert (await within(1.0, lambda: first.bindings.get("s1", "m")))[0]
    keys = [key async for key in admin.scan_iter(match=prefix + "*")]
    await admin.delete(*keys)  # Redis restarted: it keeps nothing on disk
    for replica in (first, second):
        await cut_off(admin, replica)
    records = [key for key in keys if key.startswith(prefix + "rec:")]
    for _ in range(50):
        if await admin.exists(*records) == len(records) == 2:
            break
        await asyncio.sleep(0.1)
    else:
        raise AssertionError(
            f"the records were not written back: {await admin.exists(*records)} of {records}"
        )
    (later,) = await replicas(1)
    assert later.health.blocking("alice") == struck
    assert later.bindings.get("s1", "m") == "alice"

"""The Redis lock across replicas: exclusive, renewed while held, never released by a
holder it ran out on, and fenced so a stale holder's write is recognisably old."""

from __future__ import annotations

import asyncio

import redis.asyncio as aioredis

from dragoman.state.redis.locks import RedisLocks
from tests.state.redis.conftest import Replicas


async def test_replicas_take_turns_and_fences_grow(replicas: Replicas) -> None:
    states = await replicas(3)
    fences: list[int] = []
    inside = 0
    most = 0

    async def work(index: int) -> None:
        nonlocal inside, most
        async with states[index % 3].locks.hold("account-7") as lease:
            inside += 1
            most = max(most, inside)
            fences.append(lease.fence)
            await asyncio.sleep(0.002)
            inside -= 1

    await asyncio.gather(*(work(n) for n in range(30)))
    assert most == 1
    assert fences == sorted(fences) and len(set(fences)) == 30


async def test_a_holder_that_ran_out_is_fenced_off(replicas: Replicas, prefix: str) -> None:
    first, second = await replicas(2)
    assert isinstance(first.locks, RedisLocks)
    first.locks.lease_ms = 100  # and its renewals paused: a holder stopped in a GC pause
    first.locks.renew = _never  # type: ignore[method-assign]
    async with first.locks.hold("account-7") as stale:
        await asyncio.sleep(0.2)
        async with asyncio.timeout(1), second.locks.hold("account-7") as later:
            assert later.fence > stale.fence
            written = await later.fence_above(0)
        assert await stale.fence_above(0) == 0  # no longer its lock: no fence to write with
        assert stale.fence < written  # and a write with its old fence is refused by the row


async def test_release_deletes_only_its_own_lock(
    replicas: Replicas, prefix: str, admin: aioredis.Redis
) -> None:
    first, second = await replicas(2)
    assert isinstance(first.locks, RedisLocks)
    first.locks.lease_ms = 100
    first.locks.renew = _never  # type: ignore[method-assign]
    key = f"{prefix}lock:account-7"
    taken, done = asyncio.Event(), asyncio.Event()

    async def later() -> None:
        async with second.locks.hold("account-7"):
            taken.set()
            await done.wait()

    async with first.locks.hold("account-7"):
        holder = asyncio.create_task(later())
        await asyncio.wait_for(taken.wait(), 1)  # first's lock ran out; second took it
        theirs = await admin.get(key)
    assert theirs is not None and await admin.get(key) == theirs  # first's release left it
    done.set()
    await holder
    assert await admin.get(key) is None


async def test_renewed_while_held(replicas: Replicas, prefix: str, admin: aioredis.Redis) -> None:
    first, second = await replicas(2)
    assert isinstance(first.locks, RedisLocks)
    first.locks.lease_ms = 150
    async with first.locks.hold("account-7"):
        await asyncio.sleep(0.4)  # over twice the lease: alive only if renewed
        assert await admin.pttl(f"{prefix}lock:account-7") > 0
        try:
            async with second.locks.hold("account-7", wait=0.1):
                taken = True
        except TimeoutError:
            taken = False
    assert not taken


async def test_a_counter_that_fell_behind_the_row_moves_past_it(
    replicas: Replicas, prefix: str, admin: aioredis.Redis
) -> None:
    [state] = await replicas(1)
    async with state.locks.hold("account-7") as lease:
        assert lease.fence == 1  # a Redis that lost its counter, while rows say 57
        assert await lease.fence_above(57) == 58
    async with state.locks.hold("account-7") as lease:
        assert lease.fence == 59


async def _never(keys: list[str], args: list[object]) -> int:
    return 0

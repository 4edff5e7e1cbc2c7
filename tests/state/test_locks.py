"""The locks' contract, on every backend: exclusive by name, fences that grow, and a
fence above the stored one to write with."""

from __future__ import annotations

import asyncio

import pytest

from dragoman.state import LockTimeout, State


async def test_one_holder_at_a_time_per_name(state: State) -> None:
    inside: list[str] = []
    overlaps = 0

    async def work(who: str) -> None:
        nonlocal overlaps
        async with state.locks.hold("account-1"):
            overlaps += bool(inside)
            inside.append(who)
            await asyncio.sleep(0.005)
            inside.remove(who)

    await asyncio.gather(*(work(str(n)) for n in range(10)))
    assert overlaps == 0


async def test_other_names_do_not_wait(state: State) -> None:
    async with state.locks.hold("account-1"):
        async with asyncio.timeout(1):
            async with state.locks.hold("account-2"):
                pass


async def test_a_waiter_gives_up_with_lock_timeout(state: State) -> None:
    async with state.locks.hold("account-1"):
        with pytest.raises(LockTimeout):
            async with state.locks.hold("account-1", wait=0.05):
                pass


async def test_fence_above_the_stored_one(state: State) -> None:
    async with state.locks.hold("account-1") as lease:
        assert await lease.fence_above(0) > 0
        assert await lease.fence_above(41) > 41


async def test_released_on_an_error_inside(state: State) -> None:
    with pytest.raises(RuntimeError):
        async with state.locks.hold("account-1"):
            raise RuntimeError("the refresh failed")
    async with asyncio.timeout(1):
        async with state.locks.hold("account-1"):
            pass

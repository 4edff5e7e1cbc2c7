"""In-flight slots and the max_concurrent check."""

from __future__ import annotations

import asyncio

from dragoman.state import State


async def test_acquire_stops_at_the_limit(state: State) -> None:
    assert [await state.in_flight.acquire("alice", 2) for _ in range(3)] == [True, True, False]
    assert state.in_flight.count("alice") == 2
    state.in_flight.release("alice")
    assert state.in_flight.count("alice") == 1
    assert await state.in_flight.acquire("alice", 2)


async def test_no_limit_always_acquires_and_accounts_are_apart(state: State) -> None:
    for _ in range(50):
        assert await state.in_flight.acquire("alice", None)
    assert state.in_flight.count("alice") == 50
    assert state.in_flight.count("bob") == 0
    assert await state.in_flight.acquire("bob", 1)


async def test_concurrent_acquires_never_pass_the_limit(state: State) -> None:
    results = await asyncio.gather(*(state.in_flight.acquire("alice", 4) for _ in range(50)))
    assert sum(results) == 4 and state.in_flight.count("alice") == 4


def test_releasing_more_than_was_taken_never_goes_below_zero(state: State) -> None:
    state.in_flight.release("alice")
    assert state.in_flight.count("alice") == 0

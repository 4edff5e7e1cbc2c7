"""Holding requests to a key's limits, over every state backend (`policy.budgets`)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from dragoman.ir.errors import OverBudget, PermissionDenied, RateLimited
from dragoman.policy.budgets import Demand, admit, counter_name, limited
from dragoman.policy.keys import Limit, LocalKey
from dragoman.state import Period, State, open_state
from tests.state.conftest import START, FakeClock

DAY = Period.fixed("day")
MINUTE = Period.rolling(60)
BUDGET = Limit("budget", "cost", 1.0, Period.fixed("month"))
TOKENS = Limit("tokens", "tokens", 1000, DAY)
REQUESTS = Limit("requests", "requests", 3, DAY)
RPM = Limit("rpm", "requests", 2, MINUTE)
DEMAND = Demand(input_tokens=60, tokens=100, cost=0.1, input_cost=0.02)


def key(*limits: Limit, **policy: object) -> LocalKey:
    return LocalKey("alice", limits=limits, **policy)  # type: ignore[arg-type]


async def used(state: State, owner: LocalKey, limit: Limit) -> float:
    return await state.counters.used(counter_name(owner, limit), limit.period)


async def test_admission_reserves_each_limit_and_settling_counts_the_real_spend(state: State) -> None:
    alice = key(BUDGET, TOKENS, REQUESTS)
    hold = await admit(state, alice, DEMAND, START)
    assert [await used(state, alice, limit) for limit in (BUDGET, TOKENS, REQUESTS)] == [0.1, 100, 1]
    await hold.settle(40, 0.03)
    assert [await used(state, alice, limit) for limit in (BUDGET, TOKENS, REQUESTS)] == [0.03, 40, 1]
    await hold.settle(999, 9)  # once only
    assert await used(state, alice, TOKENS) == 40


async def test_an_unknown_cost_keeps_what_was_reserved(state: State) -> None:
    alice = key(BUDGET)
    hold = await admit(state, alice, DEMAND, START)
    await hold.settle(40, None)
    assert await used(state, alice, BUDGET) == pytest.approx(0.1)


async def test_release_and_settle_input(state: State) -> None:
    alice = key(BUDGET, TOKENS)
    await (await admit(state, alice, DEMAND, START)).release()
    assert (await used(state, alice, BUDGET), await used(state, alice, TOKENS)) == (0, 0)
    await (await admit(state, alice, DEMAND, START)).settle_input()
    assert (await used(state, alice, BUDGET), await used(state, alice, TOKENS)) == (pytest.approx(0.02), 60)


async def test_a_refusal_gives_back_what_the_other_limits_held(state: State) -> None:
    alice = key(TOKENS, REQUESTS, max_concurrent=5)
    holds = [await admit(state, alice, DEMAND, START) for _ in range(3)]
    with pytest.raises(OverBudget) as refused:
        await admit(state, alice, DEMAND, START)
    assert await used(state, alice, TOKENS) == 300  # the fourth's 100 given back
    assert state.in_flight.count("key:alice") == 3
    message = refused.value.message
    assert "key 'alice' is over its requests 3/day: 3 requests of 3 requests used" in message
    assert "resets at 2027-01-16 00:00 UTC (in 16h)" in message
    for hold in holds:
        await hold.release()
    assert state.in_flight.count("key:alice") == 0


async def test_rate_limits_are_429_with_retry_after(state: State, clock: FakeClock) -> None:
    alice = key(RPM)
    for _ in range(2):
        await (await admit(state, alice, DEMAND, clock.now)).settle(1, None)
    with pytest.raises(RateLimited) as refused:
        await admit(state, alice, DEMAND, clock.now)
    assert 59 <= (refused.value.retry_after or 0) <= 60
    assert "key 'alice' reached its rate limit rpm 2 (2 requests of 2 requests used)" in refused.value.message
    clock.advance(60)
    await admit(state, alice, DEMAND, clock.now)


async def test_max_concurrent_is_a_slot_per_request(state: State) -> None:
    alice = key(max_concurrent=2)
    first, _ = await admit(state, alice, DEMAND), await admit(state, alice, DEMAND)
    with pytest.raises(RateLimited, match="already has 2 requests in flight"):
        await admit(state, alice, DEMAND)
    await first.settle(1, None)
    await first.release()  # ended already: the slot is not given back twice
    await admit(state, alice, DEMAND)
    assert state.in_flight.count("key:alice") == 2


async def test_a_request_larger_than_the_limit_is_refused_for_good(state: State) -> None:
    with pytest.raises(
        PermissionDenied, match="this request alone needs 100 tokens, more than its tokens 50/day"
    ):
        await admit(state, key(Limit("tokens", "tokens", 50, DAY)), DEMAND)


async def test_200_concurrent_requests_against_a_budget_that_fits_50(state: State) -> None:
    alice = key(Limit("tokens", "tokens", 50 * 100, DAY))

    async def one(owner: LocalKey, spends: int) -> bool:
        try:
            hold = await admit(state, owner, DEMAND)
        except OverBudget:
            return False
        await asyncio.sleep(0)  # all of them asked before any answer ended
        await hold.settle(spends, None)
        return True

    assert sum(await asyncio.gather(*(one(alice, 100) for _ in range(200)))) == 50
    assert await used(state, alice, TOKENS) == 5000
    # Settling above the reservation is what passes a limit: by what was spent above it.
    bob = LocalKey("bob", limits=(Limit("tokens", "tokens", 500, DAY),))
    assert sum(await asyncio.gather(*(one(bob, 130) for _ in range(20)))) == 5
    assert await used(state, bob, TOKENS) == 5 * 130


async def test_a_hold_grows_against_its_budgets_and_settles_all_it_held_at_once(state: State) -> None:
    alice = key(BUDGET, TOKENS, REQUESTS, RPM)
    hold = await admit(state, alice, DEMAND, START)
    assert await hold.grow(200, 0.05, START) is None
    assert await hold.grow(300, 0.07, START) is None
    limits = (BUDGET, TOKENS, REQUESTS, RPM)
    # A request count and a rate do not grow: the one request, and a pace settled at the end.
    assert [await used(state, alice, limit) for limit in limits] == [pytest.approx(0.22), 600, 1, 1]
    assert (hold.tokens, hold.cost) == (600, pytest.approx(0.22))
    await hold.settle(640, 0.25)
    assert [await used(state, alice, limit) for limit in limits] == [pytest.approx(0.25), 640, 1, 1]


async def test_a_step_that_does_not_fit_is_the_refusal_that_cuts_the_answer(state: State) -> None:
    alice = key(TOKENS, BUDGET)
    hold = await admit(state, alice, DEMAND, START)
    refused = await hold.grow(950, 0.01, START)
    assert isinstance(refused, OverBudget)
    assert refused.message == (
        "key 'alice' reached its tokens 1k/day during this answer (100 tokens of 1k tokens used): going on "
        "needed 950 tokens more, so the answer was cut short here; it resets at 2027-01-16 00:00 UTC (in 16h)"
    )
    assert (await used(state, alice, TOKENS), hold.tokens) == (100, 100)  # nothing held by the refusal
    assert await hold.grow(900, 0.01, START) is None
    await hold.release()
    assert (await used(state, alice, TOKENS), await used(state, alice, BUDGET)) == (0, 0)


async def test_an_unknown_cost_keeps_every_step_held(state: State) -> None:
    alice = key(BUDGET)
    hold = await admit(state, alice, DEMAND, START)
    await hold.grow(100, 0.05, START)
    await hold.settle(400, None)
    assert await used(state, alice, BUDGET) == pytest.approx(0.15)


def test_only_a_key_with_something_to_hold_is_limited() -> None:
    assert not limited(LocalKey("key1", admin=True))
    assert not limited(LocalKey("bob", models=("gpt-*",), guard_percent=80))
    assert limited(key(TOKENS)) and limited(key(max_concurrent=1)) and limited(key(max_output_tokens=9))


async def test_spend_survives_a_restart_of_the_host_backend(tmp_path: Path) -> None:
    alice = key(TOKENS)
    async with open_state(tmp_path, backend="host") as first:
        await (await admit(first, alice, DEMAND)).settle(700, None)
    async with open_state(tmp_path, backend="host") as second:
        assert await used(second, alice, TOKENS) == 700
        with pytest.raises(OverBudget):
            await admit(second, alice, Demand(200, 400))

"""Rate and budget counters: reserve, settle, release, over calendar and rolling periods."""

from __future__ import annotations

import asyncio
import math
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from dragoman.state import Ask, Period, Refused, Reservation, State
from tests.state.conftest import START, FakeClock

DAY = Period.fixed("day")
UTC = ZoneInfo("UTC")


async def reserve(state: State, amount: float, limit: float = 10.0, period: Period = DAY) -> Reservation:
    reservation = await state.counters.reserve("key:alice:usd", amount, limit, period)
    assert isinstance(reservation, Reservation), reservation
    return reservation


async def test_reservations_count_until_the_limit(state: State, clock: FakeClock) -> None:
    await reserve(state, 6)
    await reserve(state, 4)  # exactly at the limit
    refused = await state.counters.reserve("key:alice:usd", 0.5, 10, DAY)
    assert isinstance(refused, Refused)
    assert (refused.used, refused.limit) == (10, 10)
    assert refused.reset_at == datetime(2027, 1, 16, tzinfo=UTC).timestamp()
    assert await state.counters.used("key:alice:usd", DAY) == 10
    assert await state.counters.used("key:bob:usd", DAY) == 0


async def test_settle_replaces_the_held_amount_once(state: State) -> None:
    held = await reserve(state, 8)
    await state.counters.settle(held, 2.5)
    assert await state.counters.used("key:alice:usd", DAY) == 2.5
    await state.counters.settle(held, 7)  # a second settle of the same reservation does nothing
    await state.counters.release(held)
    assert await state.counters.used("key:alice:usd", DAY) == 2.5


async def test_release_gives_everything_back(state: State) -> None:
    held = await reserve(state, 10)
    assert isinstance(await state.counters.reserve("key:alice:usd", 1, 10, DAY), Refused)
    await state.counters.release(held)
    assert await state.counters.used("key:alice:usd", DAY) == 0
    await reserve(state, 10)


async def test_an_amount_over_the_limit_alone_never_fits(state: State) -> None:
    refused = await state.counters.reserve("key:alice:usd", 11, 10, DAY)
    assert isinstance(refused, Refused) and math.isinf(refused.reset_at)


async def test_concurrent_reservations_never_overshoot(state: State) -> None:
    results = await asyncio.gather(*(state.counters.reserve("k", 1, 50, DAY) for _ in range(200)))
    assert sum(isinstance(result, Reservation) for result in results) == 50
    assert await state.counters.used("k", DAY) == 50


async def test_a_new_day_starts_from_zero_in_the_keys_time_zone(state: State, clock: FakeClock) -> None:
    # 08:00 UTC is 17:00 in Tokyo: its day ends in 7 hours, UTC's in 16.
    tokyo = Period.fixed("day", "Asia/Tokyo")
    await reserve(state, 10, period=tokyo)
    await reserve(state, 10, period=DAY)
    clock.advance(7 * 3600)
    assert await state.counters.used("key:alice:usd", tokyo) == 0
    assert await state.counters.used("key:alice:usd", DAY) == 10


async def test_settling_late_leaves_the_new_period_alone(state: State, clock: FakeClock) -> None:
    held = await reserve(state, 3)
    clock.advance(86_400)
    await reserve(state, 1)
    await state.counters.settle(held, 9)
    assert await state.counters.used("key:alice:usd", DAY) == 1


@pytest.mark.parametrize(
    ("unit", "ends"),
    [("week", datetime(2027, 1, 18, tzinfo=UTC)), ("month", datetime(2027, 2, 1, tzinfo=UTC))],
)
async def test_weeks_start_on_monday_and_months_on_the_first(state: State, unit: str, ends: datetime) -> None:
    period = Period.fixed(unit)  # type: ignore[arg-type]
    await reserve(state, 10, period=period)
    refused = await state.counters.reserve("key:alice:usd", 1, 10, period)
    assert isinstance(refused, Refused) and refused.reset_at == ends.timestamp()


async def test_a_rolling_window_frees_what_left_it(state: State, clock: FakeClock) -> None:
    minute = Period.rolling(60)
    for _ in range(3):
        await reserve(state, 1, limit=5, period=minute)
        clock.advance(10)
    await reserve(state, 2, limit=5, period=minute)  # t=30: 5 of 5 taken
    refused = await state.counters.reserve("key:alice:usd", 1, 5, minute)
    assert isinstance(refused, Refused) and refused.reset_at == clock.now + 30  # the t=0 request leaves
    clock.advance(30)
    assert await state.counters.used("key:alice:usd", minute) == 4
    await reserve(state, 1, limit=5, period=minute)
    clock.advance(60)
    assert await state.counters.used("key:alice:usd", minute) == 0


async def test_counters_of_different_periods_are_apart(state: State) -> None:
    await reserve(state, 10, period=DAY)
    await reserve(state, 10, period=Period.fixed("month"))
    await reserve(state, 10, period=Period.rolling(3600))


MINUTE = Period.rolling(60)


def asks(usd: float, requests: float = 1) -> list[Ask]:
    """A key's limits as one request asks them: $ per day, requests per rolling minute."""
    return [Ask("key:alice:usd", usd, 10, DAY), Ask("key:alice:rpm", requests, 3, MINUTE)]


async def test_reserve_all_holds_every_limit_or_none(state: State, clock: FakeClock) -> None:
    counters = state.counters
    held = await counters.reserve_all(asks(4))
    assert isinstance(held, list) and [r.amount for r in held] == [4, 1]
    over_budget = await counters.reserve_all(asks(7))
    assert isinstance(over_budget, Refused) and over_budget.key == "key:alice:usd"
    assert (over_budget.used, over_budget.limit) == (4, 10)
    assert await counters.used("key:alice:rpm", MINUTE) == 1  # the refused request held nothing
    await counters.reserve_all(asks(1))
    await counters.reserve_all(asks(1))
    over_rate = await counters.reserve_all(asks(1))  # the budget fits, the fourth request does not
    assert isinstance(over_rate, Refused) and over_rate.key == "key:alice:rpm"
    assert over_rate.reset_at == START + 60
    assert await counters.used("key:alice:usd", DAY) == 6  # what fitted first was taken back


async def test_settle_all_settles_each_once_and_zero_releases(state: State) -> None:
    counters = state.counters
    first = await counters.reserve_all(asks(5))
    second = await counters.reserve_all(asks(3))
    assert isinstance(first, list) and isinstance(second, list)
    await counters.settle_all([(first[0], 2.5), (first[1], 1)])
    await counters.settle_all([(second[0], 0.0), (second[1], 0.0)])
    assert await counters.used("key:alice:usd", DAY) == 2.5
    assert await counters.used("key:alice:rpm", MINUTE) == 1
    await counters.settle_all([(first[0], 9), (second[0], 9)])  # already settled: nothing changes
    await counters.release(first[0])
    assert await counters.used("key:alice:usd", DAY) == 2.5


async def test_concurrent_reserve_alls_never_overshoot_any_limit(state: State) -> None:
    results = await asyncio.gather(*(state.counters.reserve_all(asks(0.25)) for _ in range(20)))
    assert sum(isinstance(result, list) for result in results) == 3
    assert await state.counters.used("key:alice:usd", DAY) == 0.75

"""The live feed: every subscriber gets every record, a slow one loses its oldest."""

from __future__ import annotations

import asyncio

from dragoman.state import State


async def test_every_subscriber_gets_every_record_in_order(state: State) -> None:
    first, second = state.feed.subscribe(), state.feed.subscribe()
    for number in range(3):
        state.feed.publish({"id": number})
    for subscription in (first, second):
        assert [await anext(subscription) for _ in range(3)] == [{"id": 0}, {"id": 1}, {"id": 2}]
        assert subscription.dropped == 0


async def test_a_slow_subscriber_drops_its_oldest_and_never_blocks_the_publisher(state: State) -> None:
    slow = state.feed.subscribe(backlog=5)
    for number in range(1000):
        state.feed.publish({"id": number})
    assert slow.dropped == 995
    assert [await anext(slow) for _ in range(5)] == [{"id": n} for n in range(995, 1000)]


async def test_what_waits_is_taken_at_once_in_order(state: State) -> None:
    subscription = state.feed.subscribe(backlog=3)
    for number in range(4):
        state.feed.publish({"id": number})
    assert await anext(subscription) == {"id": 1}
    assert subscription.waiting() == [{"id": 2}, {"id": 3}]
    assert subscription.waiting() == []
    state.feed.publish({"id": 4})
    assert await anext(subscription) == {"id": 4}


async def test_a_waiting_subscriber_wakes_on_a_record(state: State) -> None:
    subscription = state.feed.subscribe()
    waiting = asyncio.create_task(anext(subscription))
    await asyncio.sleep(0)
    state.feed.publish({"id": "x"})
    assert await asyncio.wait_for(waiting, 1) == {"id": "x"}


async def test_closing_ends_the_iteration_and_stops_delivery(state: State) -> None:
    subscription = state.feed.subscribe()
    waiting = asyncio.create_task(anext(subscription, None))
    await asyncio.sleep(0)
    subscription.close()
    assert await asyncio.wait_for(waiting, 1) is None
    state.feed.publish({"id": 1})
    assert [record async for record in subscription] == []


async def test_stopping_the_state_ends_every_subscription(state: State) -> None:
    subscription = state.feed.subscribe()
    await state.stop()
    assert await asyncio.wait_for(anext(subscription, None), 1) is None


async def test_it_is_listening_while_someone_subscribes(state: State) -> None:
    assert not state.feed.listening
    subscription = state.feed.subscribe()
    assert state.feed.listening
    subscription.close()
    assert not state.feed.listening

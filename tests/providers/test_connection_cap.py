"""The cap on exchanges in flight per upstream host: slots taken without waiting under it,
a line past it served oldest first, a 503 past the queue time; and, through the pools,
never more connections to a host than slots, every slot back once the answers end."""

from __future__ import annotations

import asyncio

import pytest

from dragoman.ir.errors import Unavailable
from dragoman.providers.connection_cap import ConnectionCap
from dragoman.providers.http import UpstreamClients
from tests.fakes import Reply
from tests.fakes.fixtures import FakeUpstreams
from tests.providers.test_http import chat, chat_upstream


async def test_under_the_cap_a_slot_is_taken_at_once_and_given_back() -> None:
    cap = ConnectionCap(per_host=2, queue_seconds=1)
    first = await cap.take("http://a.example:8080/v1")
    second = await cap.take("http://a.example:8080/other")  # same host, same slots
    assert first is second
    assert cap.in_flight() == {"http://a.example:8080": 2}
    first.release()
    second.release()
    assert cap.in_flight() == {"http://a.example:8080": 0}


async def test_hosts_have_slots_of_their_own() -> None:
    cap = ConnectionCap(per_host=1, queue_seconds=0.05)
    await cap.take("http://a.example/v1")
    await cap.take("http://b.example/v1")  # not queued behind a.example
    assert sorted(cap.in_flight().values()) == [1, 1]


async def test_past_the_cap_waiters_are_served_in_order_as_slots_free() -> None:
    cap = ConnectionCap(per_host=1, queue_seconds=5)
    held = await cap.take("http://a.example")
    order: list[int] = []

    async def wait(n: int) -> None:
        slot = await cap.take("http://a.example")
        order.append(n)
        await asyncio.sleep(0)
        slot.release()

    waiters = [asyncio.create_task(wait(n)) for n in range(3)]
    await asyncio.sleep(0.01)
    assert order == []
    held.release()
    await asyncio.gather(*waiters)
    assert order == [0, 1, 2]
    assert cap.in_flight() == {"http://a.example": 0}


async def test_a_wait_past_the_queue_time_is_a_503_naming_the_host_and_the_settings() -> None:
    cap = ConnectionCap(per_host=1, queue_seconds=0.05)
    await cap.take("https://user:secret@a.example/v1?key=k")
    with pytest.raises(Unavailable) as refused:
        await cap.take("https://user:secret@a.example/v1?key=k")
    error = refused.value
    assert error.status == 503
    assert error.retry_after == 1
    assert "a.example" in error.message and "upstream_connections_per_host" in error.message
    assert "secret" not in error.message and "key=k" not in error.message
    assert cap.in_flight() == {"https://a.example": 1}  # the refused one took nothing


async def test_a_cancelled_waiter_leaves_the_line_and_takes_no_slot() -> None:
    cap = ConnectionCap(per_host=1, queue_seconds=5)
    held = await cap.take("http://a.example")
    waiter = asyncio.create_task(cap.take("http://a.example"))
    await asyncio.sleep(0.01)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    held.release()
    assert cap.in_flight() == {"http://a.example": 0}


async def test_a_burst_opens_no_more_connections_than_slots(fakes: FakeUpstreams) -> None:
    fake = fakes.openai_chat
    fake.script(*[Reply(text="one two three", chunks=3, chunk_delay=0.02) for _ in range(12)])
    target = chat_upstream(fakes)
    clients = UpstreamClients(ConnectionCap(per_host=3, queue_seconds=10))
    peak = 0

    async def watch() -> None:
        nonlocal peak
        while True:
            peak = max(peak, *clients.cap.in_flight().values(), 0)
            await asyncio.sleep(0.005)

    watcher = asyncio.create_task(watch())
    try:
        answers = await asyncio.gather(*[chat(clients, target, stream=True) for _ in range(12)])
    finally:
        watcher.cancel()
    assert [status for status, _ in answers] == [200] * 12
    assert peak == 3
    assert list(clients.cap.in_flight().values()) == [0]
    connector = clients._aiohttp._client().connector
    assert connector is not None
    assert sum(len(idle) for idle in connector._conns.values()) <= 3
    await clients.aclose()


async def test_a_full_host_past_the_queue_time_refuses_and_frees_nothing_it_did_not_take(
    fakes: FakeUpstreams,
) -> None:
    fakes.openai_chat.script(Reply(text="slow", delay_before_first_byte=0.5))
    target = chat_upstream(fakes)
    clients = UpstreamClients(ConnectionCap(per_host=1, queue_seconds=0.1))
    slow = asyncio.create_task(chat(clients, target))
    await asyncio.sleep(0.05)
    with pytest.raises(Unavailable):
        await chat(clients, target)
    assert (await slow)[0] == 200
    assert list(clients.cap.in_flight().values()) == [0]
    await clients.aclose()

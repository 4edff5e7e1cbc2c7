"""The live feed across replicas, on Redis pub/sub."""

from __future__ import annotations

import asyncio

from tests.state.redis.conftest import Replicas, within


async def test_the_feed_reaches_a_subscriber_on_another_replica(replicas: Replicas) -> None:
    publisher, listener = await replicas(2)
    subscription = listener.feed.subscribe()
    # The publisher looks for listeners elsewhere every 0.2 s.
    found, took = await within(2.0, lambda: publisher.feed._others)  # type: ignore[attr-defined]
    assert found, f"no listener seen after {took:.2f} s"
    records = [{"id": n, "model": "gpt-5.5"} for n in range(3)]
    for record in records:
        publisher.feed.publish(record)
    got = [await asyncio.wait_for(anext(subscription), 2.0) for _ in records]
    assert got == records
    publisher.feed.publish({"id": "own"})
    listener.feed.publish({"id": "theirs"})  # its own record reaches it once, not again from Redis
    assert await asyncio.wait_for(anext(subscription), 2.0) == {"id": "theirs"}
    assert await asyncio.wait_for(anext(subscription), 2.0) == {"id": "own"}
    await asyncio.sleep(0.2)
    subscription.close()
    assert [record async for record in subscription] == [] and subscription.dropped == 0

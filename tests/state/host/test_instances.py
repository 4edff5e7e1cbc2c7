"""Two host-backend instances in one process, as two workers would be: what they share,
and what an instance that was never stopped leaves behind."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

from dragoman.state import WHOLE_ACCOUNT, State, Window, open_state
from dragoman.state.host import HostService
from dragoman.state.host.feed import HostFeed


async def eventually(check: Callable[[], object], seconds: float = 1.0) -> object:
    deadline = time.monotonic() + seconds
    while not (found := check()) and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    return found


def service(state: State) -> HostService:
    assert isinstance(state.service, HostService)
    return state.service


async def test_cooldowns_cross_between_instances(tmp_path: Path) -> None:
    async with open_state(tmp_path) as first, open_state(tmp_path) as second:
        record = first.health.strike("alice", WHOLE_ACCOUNT, "unhealthy", "403 suspended")
        assert await eventually(lambda: second.health.blocking("alice")) == record
        second.health.reset("alice")
        assert await eventually(lambda: first.health.blocking("alice") is None)


async def test_a_pending_change_is_not_undone_by_an_older_one_from_elsewhere(tmp_path: Path) -> None:
    first, second = open_state(tmp_path), open_state(tmp_path)
    try:
        first.bindings.bind("s1", "m", "alice", ttl=3600)
        await service(first).mirror.exchange()
        second.bindings.bind("s1", "m", "bob", ttl=3600)  # newer, not yet written
        await service(second).mirror.exchange()  # reads alice's row while bob's is written
        assert second.bindings.get("s1", "m") == "bob"
        await service(first).mirror.exchange()
        assert first.bindings.get("s1", "m") == "bob"
    finally:
        await first.stop()
        await second.stop()


async def test_an_older_window_observation_never_replaces_a_newer_one_on_disk(tmp_path: Path) -> None:
    now = time.time()
    async with open_state(tmp_path) as first, open_state(tmp_path) as second:
        first.windows.observe(Window("alice", "", "5h", 80.0, 18_000, now + 600, now))
        await service(first).mirror.exchange()
        second.windows.observe(Window("alice", "", "5h", 20.0, 18_000, now + 600, now - 60))
    async with open_state(tmp_path) as restarted:
        assert [window.used_percent for window in restarted.windows.of("alice")] == [80.0]


async def test_the_feed_crosses_between_instances(tmp_path: Path) -> None:
    async with open_state(tmp_path) as publisher, open_state(tmp_path) as listener:
        subscription = listener.feed.subscribe()
        feed = publisher.feed
        assert isinstance(feed, HostFeed)
        assert await eventually(lambda: feed._peers)  # its scan found the listener
        publisher.feed.publish({"id": 1, "account": "alice"})
        publisher.feed.publish({"id": 2, "body": "x" * 100_000})  # too big for a datagram
        assert await asyncio.wait_for(anext(subscription), 2) == {"id": 1, "account": "alice"}
        assert feed.dropped == 1
        subscription.close()
        assert await eventually(lambda: not feed._peers)  # the listener stopped listening


async def test_a_dead_listeners_socket_is_forgotten(tmp_path: Path) -> None:
    async with open_state(tmp_path) as publisher:
        folder = tmp_path / "state" / "feed"
        (folder / "999999-dead").touch()  # a listener's name whose socket no one holds
        feed = publisher.feed
        assert isinstance(feed, HostFeed)
        assert await eventually(lambda: feed._peers)
        publisher.feed.publish({"id": 1})
        assert await eventually(lambda: not (folder / "999999-dead").exists())


async def test_a_long_home_path_listens_on_an_abstract_socket(tmp_path: Path) -> None:
    home = tmp_path / ("deep" * 30)
    async with open_state(home) as publisher, open_state(home) as listener:
        subscription = listener.feed.subscribe()
        assert await eventually(lambda: publisher.feed._peers)  # type: ignore[attr-defined]
        publisher.feed.publish({"id": 1})
        assert await asyncio.wait_for(anext(subscription), 2) == {"id": 1}

"""The `redis` backend: state shared by replicas on many hosts through one Redis
(`redis_url`), every key under a prefix (`dragoman:` unless told otherwise).

    rec:<table>:<key>        cooldowns, windows, bindings, last errors, mirrored: mirror.py
    changes                  the channel their changes are published on
    inflight:<account>       in-flight counts per replica; replicas: their leases: slots.py
    counter:<period>:<key>   rate and budget counters: ledger.py
    feed                     the live trace feed's channel: feed.py
    lock:<name>, fence:<name>  refresh locks and their fencing counters: locks.py
    epoch                    a token telling a Redis that kept its data from an empty one

The request path never waits on Redis except for what must be atomic across replicas
(an in-flight slot under a limit, a reservation, a settlement: one script each); reads
come from this replica's memory and writes are sent in the background.

When Redis goes away (a restart, a dropped connection) requests go on: reads from the
mirror; each part falls back to this replica alone (link.py); changes wait, and are
sent when the watcher has reconnected (it retries every RETRY_SECONDS) and re-read
Redis. A Redis that came back empty (it keeps nothing on disk) gets the replicas' copies
back; counters and in-flight counts restart from what the replicas write from then on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import Awaitable, Callable

from redis.asyncio.client import PubSub

from dragoman.state.bundle import Place, State
from dragoman.state.memory.tables import MemoryBindings, MemoryClientLogins, MemoryHealth, MemoryWindows
from dragoman.state.redis.feed import RedisFeed
from dragoman.state.redis.ledger import RedisCounters
from dragoman.state.redis.link import DOWN, Link, RedisUnreachable, cancel, check_reachable
from dragoman.state.redis.locks import RedisLocks
from dragoman.state.redis.mirror import RedisMirror
from dragoman.state.redis.slots import HEARTBEAT, RedisInFlight

__all__ = ["RedisUnreachable", "check_reachable", "open_redis"]

log = logging.getLogger("dragoman.state")

RETRY_SECONDS = 0.5
SCAN_SECONDS = 0.2  # how soon another replica's new feed subscriber is sent records
COLLECT_SECONDS = 60.0


def open_redis(place: Place, clock: Callable[[], float] = time.time) -> State:
    if not place.redis_url:
        raise ValueError("the redis backend needs redis_url (e.g. redis://127.0.0.1:6379/0)")
    link = Link(place.redis_url, place.redis_prefix)
    health, windows, bindings = MemoryHealth(clock), MemoryWindows(clock), MemoryBindings(clock)
    logins = MemoryClientLogins()
    mirror = RedisMirror(link, health, windows, bindings, logins, clock)
    in_flight, counters, feed = RedisInFlight(link), RedisCounters(link, clock), RedisFeed(link)
    service = RedisService(link, mirror, in_flight, counters, feed, bindings)
    locks = RedisLocks(link, place.home)
    return State("redis", health, windows, bindings, in_flight, counters, feed, service, locks, logins)


class RedisService:
    """Connects, keeps the replica in step, reconnects; and the orderly close."""

    def __init__(
        self,
        link: Link,
        mirror: RedisMirror,
        in_flight: RedisInFlight,
        counters: RedisCounters,
        feed: RedisFeed,
        bindings: MemoryBindings,
    ) -> None:
        self.link, self.mirror, self.in_flight = link, mirror, in_flight
        self.counters, self.feed = counters, feed
        self._bindings = bindings
        self._epoch: str | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._started = self._closed = False

    async def start(self) -> None:
        """Connect and load the shared state; RedisUnreachable names the server if it is down."""
        if self._started or self._closed:
            return
        self._started = True
        try:
            pubsub = await self._connect()
        except DOWN as error:
            await self.link.close()
            self._closed = True
            raise self.link.unreachable(error) from None
        self._tasks = [
            asyncio.create_task(self._watch(pubsub), name="state-redis-watch"),
            asyncio.create_task(self.mirror.run(), name="state-redis-mirror"),
            asyncio.create_task(self.in_flight.run(), name="state-redis-inflight"),
            asyncio.create_task(self.counters.run(), name="state-redis-counters"),
            asyncio.create_task(self.feed.run(), name="state-redis-feed"),
            asyncio.create_task(_every(HEARTBEAT, self._heartbeat), name="state-redis-heartbeat"),
            asyncio.create_task(_every(SCAN_SECONDS, self.feed.scan), name="state-redis-feed-scan"),
            asyncio.create_task(_every(COLLECT_SECONDS, self._collect), name="state-redis-collect"),
        ]

    async def stop(self) -> None:
        if self._closed:
            return
        self._closed = True
        await cancel(self._tasks)
        await self.feed.close()
        if self.link.up:
            with contextlib.suppress(*DOWN):
                await self.mirror.flush()
                await self.counters.flush()
                await self.in_flight.leave()
        await self.link.close()

    async def problem(self) -> str | None:
        """Redis down (a PING unanswered, or the watcher still reconnecting), said with the
        URL's password masked."""
        if not self.link.up:
            return f"Redis at {self.link.shown} is unreachable (serving from this replica alone)"
        try:
            await self.link.shielded(self.link.client.ping())
        except DOWN as error:
            self.link.down(error)
            return f"Redis at {self.link.shown} is unreachable ({type(error).__name__})"
        return None

    async def _connect(self) -> PubSub:
        """Subscribe to the changes, then read Redis whole (what changes meanwhile waits in
        the subscription, applied after), then let the requests use Redis again."""
        pubsub = self.link.client.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.subscribe(self.mirror.channel)
            await self.link.load_scripts()
            emptied = await self._check_epoch()
            await self.mirror.load(emptied)
            await self.in_flight.resync()
        except BaseException:
            await pubsub.aclose()
            raise
        self.link.lost.clear()
        self.link.up = True
        await self.mirror.flush()
        await self.counters.flush()
        return pubsub

    async def _check_epoch(self) -> bool:
        """Whether Redis lost what it held since we last looked (it restarted empty)."""
        key = self.link.key("epoch")
        await self.link.client.set(key, secrets.token_hex(8), nx=True)
        epoch = str(await self.link.client.get(key))
        emptied = self._epoch is not None and epoch != self._epoch
        self._epoch = epoch
        return emptied

    async def _watch(self, pubsub: PubSub) -> None:
        """Apply the others' changes; on a lost connection, reconnect and re-sync."""
        while True:
            reading = asyncio.create_task(self._read(pubsub))
            lost = asyncio.create_task(self.link.lost.wait())
            try:
                await asyncio.wait({reading, lost}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                await cancel([reading, lost])
            self.link.up = False
            with contextlib.suppress(*DOWN):
                await pubsub.aclose()
            log.warning(
                "runtime state: lost Redis at %s; serving from memory until it is back", self.link.shown
            )
            pubsub = await self._reconnect()
            log.warning("runtime state: Redis at %s is back, state re-read", self.link.shown)

    async def _read(self, pubsub: PubSub) -> None:
        try:
            async for message in pubsub.listen():
                self.mirror.receive(message["data"])
        except DOWN:
            return

    async def _reconnect(self) -> PubSub:
        while True:
            await asyncio.sleep(RETRY_SECONDS)
            try:
                return await self._connect()
            except DOWN:
                continue
            except Exception as error:  # an answer we did not expect: try again, never give up
                log.warning("runtime state: re-syncing with Redis failed (%s); retrying", error)

    async def _heartbeat(self) -> None:
        if self.link.up:
            try:
                await self.in_flight.heartbeat()
            except DOWN as error:
                self.link.down(error)

    async def _collect(self) -> None:
        self._bindings.sweep()


async def _every(seconds: float, step: Callable[[], Awaitable[None]]) -> None:
    while True:
        await asyncio.sleep(seconds)
        try:
            await step()
        except DOWN as error:
            log.debug("runtime state: %s found Redis gone (%s)", step.__name__, type(error).__name__)
        except Exception:
            log.exception("runtime state: %s failed", step.__name__)

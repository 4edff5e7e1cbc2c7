"""The live feed across replicas, on Redis pub/sub (`<prefix>feed`).

Publishing hands the record to this replica's subscribers at once and, when another
replica has subscribers (PUBSUB NUMSUB, looked at every SCAN_SECONDS), queues it; a
background task PUBLISHes the queue in one pipeline. A replica with subscribers
listens on the channel with a connection of its own, and skips its own records. With
no one listening elsewhere, publishing costs nothing more; with Redis gone, the other
replicas' records stop coming and this replica's still reach its own subscribers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import orjson

from dragoman.state.memory.feed import LocalFeed, LocalSubscription
from dragoman.state.protocols import FeedRecord
from dragoman.state.redis.link import DOWN, Link, cancel

log = logging.getLogger("dragoman.state")

OUTBOX = 10_000  # records waiting to be sent, at most
BATCH_SECONDS = 0.01
RETRY_SECONDS = 0.5


class RedisFeed:
    def __init__(self, link: Link) -> None:
        self.link = link
        self.channel = link.key("feed")
        self._local = LocalFeed()
        self._outbox: list[str] = []
        self._queued = asyncio.Event()
        self._listening: asyncio.Task[None] | None = None
        self._others = 0  # subscribed connections of other replicas
        self.dropped = 0  # records other replicas' subscribers did not get

    @property
    def listening(self) -> bool:
        return bool(self._others) or self._local.listening

    def publish(self, record: FeedRecord) -> None:
        self._local.publish(record)
        if not self._others:
            return
        if len(self._outbox) >= OUTBOX:
            self.dropped += 1
            return
        try:
            encoded = orjson.dumps(record if isinstance(record, dict) else dict(record)).decode()
        except TypeError:  # not JSON: only this replica's subscribers get it
            self.dropped += 1
            return
        self._outbox.append(f"{self.link.origin}\n{encoded}")
        self._queued.set()

    def subscribe(self, backlog: int = 1000) -> LocalSubscription:
        subscription = self._local.subscribe(backlog)
        if self._listening is None:
            with contextlib.suppress(RuntimeError):  # no loop to read on: this replica's records only
                self._listening = asyncio.get_running_loop().create_task(self._listen(), name="state-feed-in")
        return subscription

    async def run(self) -> None:
        """Send what is queued, a batch at a time, until cancelled."""
        while True:
            await self._queued.wait()
            await asyncio.sleep(BATCH_SECONDS)
            self._queued.clear()
            await self.send()

    async def send(self) -> None:
        outbox, self._outbox = self._outbox, []
        if not outbox or not self.link.up:
            self.dropped += len(outbox)
            return
        pipe = self.link.client.pipeline(transaction=False)
        for message in outbox:
            pipe.publish(self.channel, message)
        try:
            await self.link.shielded(pipe.execute())
        except DOWN as error:
            self.dropped += len(outbox)
            self.link.down(error)

    async def scan(self) -> None:
        """Count the other replicas listening; stop listening with no subscriber left."""
        if self._listening is not None and not self._local.listening:
            self._listening.cancel()
            self._listening = None
        if not self.link.up:
            return
        ((_, listeners),) = await self.link.shielded(self.link.client.pubsub_numsub(self.channel))
        self._others = max(0, int(listeners) - (self._listening is not None))
        if not self._others:
            self._outbox.clear()

    async def close(self) -> None:
        self._local.close()
        if self._listening is not None:
            await cancel([self._listening])
            self._listening = None

    async def _listen(self) -> None:
        while True:
            pubsub = self.link.client.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(self.channel)
                async for message in pubsub.listen():
                    self._receive(message["data"])
            except DOWN as error:
                log.debug("runtime state: the feed lost Redis (%s); listening again", type(error).__name__)
            finally:
                await pubsub.aclose()
            await asyncio.sleep(RETRY_SECONDS)

    def _receive(self, data: str) -> None:
        origin, _, encoded = data.partition("\n")
        if origin != self.link.origin:
            with contextlib.suppress(orjson.JSONDecodeError):
                self._local.publish(orjson.loads(encoded))

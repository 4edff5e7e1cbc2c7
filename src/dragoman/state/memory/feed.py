"""The live feed within this process: each subscriber has a bounded queue of its own,
so a stalled reader (a browser tab in the background) loses its oldest records and
never slows the requests that publish."""

from __future__ import annotations

import asyncio
from collections import deque

from dragoman.state.protocols import FeedRecord


class LocalSubscription:
    def __init__(self, feed: LocalFeed, backlog: int) -> None:
        if backlog < 1:
            raise ValueError("a subscription keeps at least one record")
        self._feed = feed
        self._queue: deque[FeedRecord] = deque(maxlen=backlog)
        self._ready = asyncio.Event()
        self._dropped = 0
        self.closed = False

    def __aiter__(self) -> LocalSubscription:
        return self

    async def __anext__(self) -> FeedRecord:
        while not self._queue:
            if self.closed:
                raise StopAsyncIteration
            self._ready.clear()
            await self._ready.wait()
        return self._queue.popleft()

    @property
    def dropped(self) -> int:
        return self._dropped

    def waiting(self) -> list[FeedRecord]:
        taken = list(self._queue)
        self._queue.clear()
        return taken

    def close(self) -> None:
        self.closed = True
        self._ready.set()
        self._feed.forget(self)

    def deliver(self, record: FeedRecord) -> None:
        if len(self._queue) == self._queue.maxlen:
            self._dropped += 1  # the deque drops the oldest on append
        self._queue.append(record)
        self._ready.set()


class LocalFeed:
    def __init__(self) -> None:
        self._subscribers: list[LocalSubscription] = []

    @property
    def listening(self) -> bool:
        return bool(self._subscribers)

    def publish(self, record: FeedRecord) -> None:
        for subscriber in self._subscribers:
            subscriber.deliver(record)

    def subscribe(self, backlog: int = 1000) -> LocalSubscription:
        subscription = LocalSubscription(self, backlog)
        self._subscribers.append(subscription)
        return subscription

    def forget(self, subscription: LocalSubscription) -> None:
        if subscription in self._subscribers:
            self._subscribers.remove(subscription)

    def close(self) -> None:
        """End every subscription (the server stops)."""
        for subscription in list(self._subscribers):
            subscription.close()

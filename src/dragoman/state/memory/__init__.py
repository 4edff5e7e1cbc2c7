"""The `memory` backend: every kind of state in this process's dicts.

For one process that needs nothing kept (tests, embedding): nothing survives a
restart and nothing is shared with another process.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from dragoman.state.bundle import Place, State
from dragoman.state.locking import LocalLocks
from dragoman.state.memory.counts import MemoryCounters, MemoryInFlight
from dragoman.state.memory.feed import LocalFeed
from dragoman.state.memory.tables import MemoryBindings, MemoryClientLogins, MemoryHealth, MemoryWindows

__all__ = ["open_memory"]


class _Lifecycle:
    def __init__(self, feed: LocalFeed) -> None:
        self._feed = feed

    async def start(self) -> None:
        """Nothing runs beside the requests."""

    async def stop(self) -> None:
        self._feed.close()

    async def problem(self) -> str | None:
        return None


def open_memory(place: Place | None = None, clock: Callable[[], float] = time.time) -> State:
    feed = LocalFeed()
    return State(
        backend="memory",
        health=MemoryHealth(clock),
        windows=MemoryWindows(clock),
        bindings=MemoryBindings(clock),
        in_flight=MemoryInFlight(),
        counters=MemoryCounters(clock),
        feed=feed,
        service=_Lifecycle(feed),
        locks=LocalLocks(),
        client_logins=MemoryClientLogins(),
    )

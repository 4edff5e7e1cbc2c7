"""The `host` backend: state shared by every dragoman process on one host (the
workers of `serve --workers N`, and commands run beside them), kept in `<home>/state/`:

    state.db       cooldowns, usage windows, bindings (SQLite, WAL): journal.py, mirror.py
    inflight.bin   in-flight counts, a row per process (memory-mapped): slots.py
    counters.bin   rate and budget counters (memory-mapped): ledger.py
    feed/          where processes with live-feed subscribers listen: feed.py

What survives a restart: cooldowns, usage windows, counters, and bindings while their
time to live runs. What does not: in-flight counts (every process that held them has
ended) and records on the feed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import time
from collections.abc import Awaitable, Callable

from dragoman.state.bundle import Place, State
from dragoman.state.host.feed import HostFeed
from dragoman.state.host.journal import Journal
from dragoman.state.host.ledger import HostCounters
from dragoman.state.host.locks import HostLocks
from dragoman.state.host.mirror import Mirror
from dragoman.state.host.slots import HostInFlight
from dragoman.state.memory.tables import MemoryBindings, MemoryClientLogins, MemoryHealth, MemoryWindows
from dragoman.store.files import prepare_home

__all__ = ["open_host"]

log = logging.getLogger("dragoman.state")

SCAN_SECONDS = 0.2  # how soon a new feed subscriber elsewhere is sent records
REAP_SECONDS = 1.0  # how soon a dead process's in-flight slots come back
COLLECT_SECONDS = 60.0


def open_host(place: Place, clock: Callable[[], float] = time.time) -> State:
    home = place.home
    if home is None:
        raise ValueError("the host backend keeps its state in a home folder: none was given")
    prepare_home(home)
    folder = home / "state"
    folder.mkdir(exist_ok=True, mode=0o700)
    health, windows, bindings = MemoryHealth(clock), MemoryWindows(clock), MemoryBindings(clock)
    logins = MemoryClientLogins()
    with contextlib.ExitStack() as opened:
        journal = Journal(folder / "state.db", origin=f"{os.getpid()}-{secrets.token_hex(4)}")
        opened.callback(journal.close)
        mirror = Mirror(journal, health, windows, bindings, logins)
        in_flight = HostInFlight(folder / "inflight.bin")
        opened.callback(in_flight.close)
        counters = HostCounters(folder / "counters.bin", clock)
        opened.callback(counters.close)
        feed = HostFeed(folder / "feed")
        opened.pop_all()
    service = HostService(mirror, in_flight, counters, feed, bindings, clock)
    locks = HostLocks(home)
    return State("host", health, windows, bindings, in_flight, counters, feed, service, locks, logins)


class HostService:
    """The background tasks of the host backend, and its orderly close."""

    def __init__(
        self,
        mirror: Mirror,
        in_flight: HostInFlight,
        counters: HostCounters,
        feed: HostFeed,
        bindings: MemoryBindings,
        clock: Callable[[], float],
    ) -> None:
        self.mirror, self.in_flight, self.counters, self.feed = mirror, in_flight, counters, feed
        self._bindings = bindings
        self._clock = clock
        self._tasks: list[asyncio.Task[None]] = []
        self._closed = False

    async def start(self) -> None:
        if self._tasks or self._closed:
            return
        self._tasks = [
            asyncio.create_task(self.mirror.run(), name="state-mirror"),
            asyncio.create_task(self.feed.run(), name="state-feed"),
            asyncio.create_task(_every(SCAN_SECONDS, self._scan), name="state-feed-scan"),
            asyncio.create_task(_every(REAP_SECONDS, self._reap), name="state-reap"),
            asyncio.create_task(_every(COLLECT_SECONDS, self._collect), name="state-collect"),
        ]

    async def problem(self) -> str | None:
        """Nothing to reach: the state is in this host's files."""
        return None

    async def stop(self) -> None:
        if self._closed:
            return
        self._closed = True
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self.feed.close()
        await asyncio.to_thread(self.mirror.close)
        self.in_flight.close()
        self.counters.close()

    async def _scan(self) -> None:
        self.feed.scan()

    async def _reap(self) -> None:
        self.in_flight.reap_locked()

    async def _collect(self) -> None:
        self._bindings.sweep()
        await asyncio.to_thread(self.mirror.journal.collect, self._clock())
        self.counters.flush()


async def _every(seconds: float, step: Callable[[], Awaitable[None]]) -> None:
    while True:
        await asyncio.sleep(seconds)
        try:
            await step()
        except Exception:
            log.exception("runtime state: %s failed", step.__name__)

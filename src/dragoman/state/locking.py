"""What every backend's locks share: the timeout, the per-process lock, and the lease of
a backend whose lock cannot be lost while held (memory, host).

A lock that cannot be lost needs no fence to be safe, but a lease still numbers its
write above the stored one, so rows written on one host and then by replicas on Redis
carry one increasing sequence.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dragoman.state.protocols import Locks

WAIT_SECONDS = 120.0


class LockTimeout(TimeoutError):
    """Another holder kept the lock for longer than the work it guards can take."""


class SureLease:
    """The lease of a lock held until released: its fence follows the stored one."""

    fence = 0

    async def fence_above(self, stored: int) -> int:
        return stored + 1


class LocalLocks:
    """Locks by name among this process's coroutines: the memory backend's, and the
    first step of the others' (a burst in one process queues here, not on a file or
    on Redis)."""

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}

    def local(self, name: str) -> asyncio.Lock:
        return self._locks.setdefault(name, asyncio.Lock())

    @contextlib.asynccontextmanager
    async def hold(self, name: str, wait: float = WAIT_SECONDS) -> AsyncIterator[SureLease]:
        try:
            await asyncio.wait_for(self.local(name).acquire(), wait)
        except TimeoutError:
            raise LockTimeout(f"the lock {name!r} stayed held for {wait:g} s") from None
        try:
            yield SureLease()
        finally:
            self.local(name).release()


def open_locks(home: Path, redis_url: str | None, redis_prefix: str) -> Locks:
    """The locks of a process that runs no state service (a command beside the
    gateway): Redis's when `redis_url` is set, so it takes turns with every replica,
    else the host's. Close with `close_locks`."""
    if redis_url is None:
        from dragoman.state.host.locks import HostLocks

        return HostLocks(home)
    from dragoman.state.redis.link import Link
    from dragoman.state.redis.locks import RedisLocks

    link = Link(redis_url, redis_prefix)
    link.up = True  # a call that finds it down falls back to the host's lock
    return RedisLocks(link, home)


async def close_locks(locks: Locks) -> None:
    link = getattr(locks, "link", None)
    if link is not None:
        await link.close()

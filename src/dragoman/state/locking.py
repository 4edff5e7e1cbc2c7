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

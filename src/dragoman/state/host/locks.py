"""Locks shared by every dragoman process on one host: an asyncio lock in the process,
then an `flock` on `<home>/locks/<name>.lock`.

The file lock is taken by polling a non-blocking `flock`, so a cancelled waiter never
leaves a thread behind holding it; it is released when its descriptor closes, even by a
process killed with -9, so it cannot be lost while held and needs no fencing.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path

from dragoman.state.locking import WAIT_SECONDS, LocalLocks, LockTimeout, SureLease

POLL_SECONDS = 0.02


class HostLocks:
    def __init__(self, home: Path) -> None:
        self.folder = home / "locks"
        self._local = LocalLocks()

    @contextlib.asynccontextmanager
    async def hold(self, name: str, wait: float = WAIT_SECONDS) -> AsyncIterator[SureLease]:
        """The lock in this process, then across the host's processes."""
        async with self._local.hold(name, wait) as lease, file_lock(self.folder / f"{name}.lock", wait):
            yield lease


@contextlib.asynccontextmanager
async def file_lock(path: Path, wait: float = WAIT_SECONDS) -> AsyncIterator[None]:
    """An exclusive `flock` on `path` (created 0600 in a 0700 folder)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise LockTimeout(f"{path} stayed locked for {wait:g} s") from None
                await asyncio.sleep(POLL_SECONDS)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock

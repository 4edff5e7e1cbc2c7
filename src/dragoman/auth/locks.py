"""One lock per account, held across every coroutine of this process (an asyncio
lock) and every dragoman process sharing the home folder (an `flock` on
`<home>/locks/account-<id>.lock`).

Whoever holds it may re-read the account, refresh its tokens and write them back:
with rotating refresh tokens, two refreshes from the same token would log the
account out. The file lock is taken by polling a non-blocking `flock`, so a
cancelled request never leaves a thread behind holding it.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path

POLL_SECONDS = 0.02
WAIT_SECONDS = 120.0


class LockTimeout(TimeoutError):
    """Another process held the account's lock for longer than a refresh can take."""


class AccountLocks:
    def __init__(self, home: Path) -> None:
        self.folder = home / "locks"
        self._locks: dict[int, asyncio.Lock] = {}

    @contextlib.asynccontextmanager
    async def hold(self, account_id: int) -> AsyncIterator[None]:
        """The account's lock in this process, then across processes."""
        async with self.local(account_id), self.across_processes(account_id):
            yield

    def across_processes(self, account_id: int) -> contextlib.AbstractAsyncContextManager[None]:
        return file_lock(self.folder / f"account-{account_id}.lock")

    def local(self, account_id: int) -> asyncio.Lock:
        """The in-process lock alone (to wait for a coroutine already refreshing)."""
        return self._locks.setdefault(account_id, asyncio.Lock())


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

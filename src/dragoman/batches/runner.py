"""The batch runner: one background task per process, answering queued batch requests,
at most `[batches] concurrency` at once.

It sleeps until a batch is made here (`wake`), or, when the database is open, for
`POLL_SECONDS` (a batch made by another worker, a claimer gone). At start it opens the
database only if a SQLite file holds unfinished requests: a gateway that never had a
batch pays nothing for this. Each round it first errors the requests whose claimer is
gone (see the package docstring), then claims up to its free slots.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from typing import TYPE_CHECKING

from dragoman.batches.answer import answer
from dragoman.batches.wire import errored

if TYPE_CHECKING:
    # SQLAlchemy only once a batch exists: the store is imported when first opened.
    from dragoman.batches.store import BatchStore, Claimed
    from dragoman.server.gateway import Gateway

log = logging.getLogger("dragoman.batches")

POLL_SECONDS = 2.0
INTERRUPTED = (
    "dragoman stopped while this request was being answered; it was not sent again, since the "
    "upstream may already have answered (and billed) it"
)


class BatchRunner:
    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway
        # Who claims: host, process and this run, so a restarted process (same pid in a
        # container) knows the claims of its previous life.
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._answering: set[asyncio.Task[None]] = set()
        self._store: BatchStore | None = None
        self._stopping = False

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="dragoman batches")

    def wake(self) -> None:
        """A batch was made, or canceled: look now."""
        self._wake.set()

    async def stop(self, grace: float) -> None:
        """Stop claiming; the requests being answered get `grace` seconds, then are errored."""
        if self._task is not None:
            # Told, not cancelled: a cancel that comes as the wait ends is lost in
            # Python 3.11's wait_for (as the tracer's).
            self._stopping = True
            self._wake.set()
            await self._task
        if self._answering:
            late = set(self._answering)
            if grace > 0:
                _, late = await asyncio.wait(self._answering, timeout=grace)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)

    async def _run(self) -> None:
        while not self._stopping:
            try:
                await self._round()
            except Exception as error:  # a database that fails: the next round tries again
                log.warning("batch requests not claimed: %s", type(error).__name__)
            with contextlib.suppress(TimeoutError):
                timeout = POLL_SECONDS if self._store is not None else None
                await asyncio.wait_for(self._wake.wait(), timeout)
            self._wake.clear()

    async def _round(self) -> None:
        store = await self._opened()
        if store is None or not await store.pending():
            return
        await self._error_orphans(store)
        while not self._stopping and len(self._answering) < self.gateway.settings.batches.concurrency:
            claimed = await store.claim(self.owner)
            if claimed is None:
                return
            task = asyncio.create_task(self._answer(store, claimed), name="dragoman batch request")
            self._answering.add(task)
            task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._answering.discard(task)
        self._wake.set()  # a slot is free

    async def _answer(self, store: BatchStore, claimed: Claimed) -> None:
        try:
            state, result = await answer(self.gateway, claimed)
        except asyncio.CancelledError:
            await store.finish(claimed.batch_id, claimed.custom_id, "errored", errored(INTERRUPTED))
            raise
        await store.finish(claimed.batch_id, claimed.custom_id, state, result)

    async def _error_orphans(self, store: BatchStore) -> None:
        """Requests running for a claimer that is gone: errored, never sent again."""
        count = 0
        for batch_id, custom_id, owner in await store.running():
            if owner is None or self.claimer_gone(owner):
                await store.finish(batch_id, custom_id, "errored", errored(INTERRUPTED))
                count += 1
        if count:
            log.warning("%d batch request(s) interrupted by a stop were errored, not sent again", count)

    async def store(self) -> BatchStore:
        """The store, the database opened (created) if it was not: a batch is being made."""
        accounts = self.gateway.accounts
        assert accounts is not None, "the gateway is started"
        if self._store is None:
            from dragoman.batches.store import BatchStore

            self._store = BatchStore((await accounts.writable()).engine)
        return self._store

    async def _opened(self) -> BatchStore | None:
        if self._store is not None:
            return self._store
        database = self.gateway.database
        if database is None:
            accounts = self.gateway.accounts
            file = accounts.file if accounts is not None else None
            if file is None or not await asyncio.to_thread(_unfinished, file):
                return None
        return await self.store()

    def claimer_gone(self, owner: str) -> bool:
        """Whether the process that claimed as `owner` no longer answers its claims."""
        if owner == self.owner:
            return False
        host, _, rest = owner.partition(":")
        pid, _, _ = rest.partition(":")
        if host != socket.gethostname() or not pid.isdigit():
            return False  # another host's: it errors its own when it starts again
        return int(pid) == os.getpid() or not _alive(int(pid))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _unfinished(path: os.PathLike[str]) -> bool:
    """Whether the SQLite file holds batch requests not finished (without SQLAlchemy)."""
    import sqlite3

    if not os.path.exists(path):
        return False
    try:
        uri = f"file:{os.fspath(path)}?mode=ro"
        with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=1.0)) as db:
            query = "SELECT 1 FROM message_batch_requests WHERE state IN ('queued', 'running') LIMIT 1"
            return db.execute(query).fetchone() is not None
    except sqlite3.Error:
        return False

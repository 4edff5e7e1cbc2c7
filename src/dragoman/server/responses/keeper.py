"""Stored Responses, kept off the request path and found right after.

On the request path (`keep`, a dict write): the finished response waits in `pending`,
where `get` finds it at once; its answer's last bytes wait for `written`, which starts
the next write at once (so a crash never loses a response a client was told of, for
one commit's latency, shared by all who wait at once). Off it (`run`, one task per
process, like the tracer's): every `FLUSH_SECONDS`, or as soon as `BATCH` wait, the
waiting responses are written in one transaction and leave `pending`; every
`RETENTION_SECONDS` those older than `[responses] keep_days` are deleted. Background
runs (`background: true`) are tasks held here until they end, so `cancel` can stop
one. Under `serve --workers` a response another worker answered is found once that
worker wrote it (at once, since its client waited for the write). A database that
fails costs the responses waiting (logged once per failure streak), never a request.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import TYPE_CHECKING

from dragoman.server.responses.conversation import listed_items

if TYPE_CHECKING:
    from dragoman.config.schema import DatabaseConfig
    from dragoman.store.response_store import ResponseStore
    from dragoman.store.stored_response import StoredResponse

log = logging.getLogger("dragoman.responses")

FLUSH_SECONDS = 0.5
BATCH = 100
# Responses waiting for a database that does not keep up, at most; beyond, dropped.
WAITING_MAX = 10_000
RETENTION_SECONDS = 300.0


class Keeper:
    def __init__(self, url: str, keep_days: float, options: DatabaseConfig | None = None) -> None:
        self.url = url
        self.options = options  # the pool's sizes and connect timeout
        self.keep_seconds = keep_days * 86400
        self.pending: dict[str, StoredResponse] = {}
        # Background runs still going, by response id.
        self.running: dict[str, asyncio.Task[None]] = {}
        self.dropped = 0
        self._store: ResponseStore | None = None
        self._full = asyncio.Event()
        # Set once the next write (the one that takes what waits now) has ended.
        self._written = asyncio.Event()
        self._writing = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._failing = False
        self._stopping = False

    def keep(self, stored: StoredResponse) -> None:
        """Keep this response (a dict write; the database gets it in the next batch)."""
        if len(self.pending) >= WAITING_MAX and stored.id not in self.pending:
            self.dropped += 1
            return
        self.pending[stored.id] = stored
        if len(self.pending) >= BATCH:
            self._full.set()

    async def written(self) -> None:
        """Return once what `keep` was given so far is in the database (or its write
        failed, which is logged): a stored answer's last bytes wait for it, so that a
        crash never loses a response its client was told of. The write starts now,
        taking every response waiting with it: one commit for all who wait at once."""
        if self._task is None:  # not started (a test's keeper): nobody writes but us
            await self.flush()
            return
        written = self._written
        self._full.set()
        await written.wait()

    async def get(self, response_id: str) -> StoredResponse | None:
        found = self.pending.get(response_id)
        if found is not None:
            return _listed(found)
        return await self.store().get(response_id)

    async def delete(self, response_id: str) -> bool:
        """Forget the response; True when it was kept. A write under way ends first, so
        the row it brings is the one deleted."""
        waiting = self.pending.pop(response_id, None) is not None
        async with self._writing:
            stored = await self.store().delete(response_id)
        return waiting or stored

    def store(self) -> ResponseStore:
        if self._store is None:
            from dragoman.store.response_store import ResponseStore

            self._store = ResponseStore(self.url, self.options)
        return self._store

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="dragoman responses")

    async def stop(self) -> None:
        """End the background runs, write what waits, then close the database."""
        for task in list(self.running.values()):
            task.cancel()
        if self.running:
            await asyncio.gather(*self.running.values(), return_exceptions=True)
        if self._task is not None:
            self._stopping = True
            self._full.set()
            await self._task
            self._task = None
        await self.flush()
        if self._store is not None:
            await self._store.close()

    async def flush(self) -> None:
        """Write the waiting responses now; they leave `pending` once written."""
        async with self._writing:
            self._full.clear()
            written, self._written = self._written, asyncio.Event()
            batch = [_listed(stored) for stored in self.pending.values()]
            try:
                if batch:
                    await self._write(batch)
            finally:
                written.set()
            for stored in batch:
                if self.pending.get(stored.id) is stored:  # else changed meanwhile: next batch
                    del self.pending[stored.id]

    async def _write(self, batch: list[StoredResponse]) -> None:
        try:
            await self.store().write(batch)
            self._failing = False
        except Exception as error:  # the database's own failures, whatever the driver
            self.dropped += len(batch)
            if not self._failing:
                log.warning("responses not stored (%d dropped): %s", len(batch), type(error).__name__)
            self._failing = True

    async def _run(self) -> None:
        next_retention = time.monotonic() + RETENTION_SECONDS
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._full.wait(), FLUSH_SECONDS)
            await self.flush()
            if time.monotonic() >= next_retention:
                next_retention = time.monotonic() + RETENTION_SECONDS
                await self.retain()

    async def retain(self) -> int:
        """Delete the responses past `keep_days`; how many went."""
        try:
            return await self.store().retain(time.time() - self.keep_seconds)
        except Exception as error:
            log.warning("old responses not purged: %s", type(error).__name__)
            return 0


def _listed(stored: StoredResponse) -> StoredResponse:
    """`stored` with an id on each input item (made once: a page starts after one)."""
    if not stored.listed:
        stored.input, stored.listed = listed_items(stored.input), True
    return stored

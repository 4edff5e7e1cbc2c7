"""Traces in the database: batches written in one transaction, usage added to the
ledger, old traces deleted.

A SQLite file at this dragoman's revision is written by a process of its own with
Python's sqlite3 (`sqlite_writer`): SQLAlchemy (some 20 MiB) loads only when someone
reads traces, or when the file must first be made or migrated. Any other database is
written through SQLAlchemy's asyncio engine (`engine_writes`).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import orjson

from dragoman.observe.traces.outcome import Record
from dragoman.observe.traces.sqlite_writer import SqliteWriter
from dragoman.store.files import sqlite_file, sqlite_revision
from dragoman.store.migrations import HEAD

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from dragoman.config.schema import DatabaseConfig
    from dragoman.store.db import Database

OPEN_RETRY_SECONDS = 0.5


class TraceStore:
    """The traces table and the usage ledger of one database, opened on first use."""

    def __init__(self, url: str, options: DatabaseConfig | None = None) -> None:
        self.url = url
        self.options = options
        self._database: Database | None = None
        self._opening = asyncio.Lock()
        self._file = sqlite_file(url)
        self._sqlite: SqliteWriter | None = None

    async def engine(self) -> AsyncEngine:
        """SQLAlchemy's engine on the database (made and migrated if need be)."""
        async with self._opening:
            if self._database is None:
                self._database = await _opened(self.url, self.options)
        return self._database.engine

    async def write(self, records: list[Record]) -> None:
        await self.write_encoded([orjson.dumps(record) for record in records])

    async def write_encoded(self, encoded: list[bytes]) -> None:
        """Write records given as their JSON (as the tracer keeps them)."""
        writer = await self._writer()
        if writer is not None:
            await writer.write(encoded)
            return
        from dragoman.observe.traces import engine_writes

        await engine_writes.write(await self.engine(), [orjson.loads(line) for line in encoded])

    async def retain(self, before: float, max_count: int) -> int:
        """Delete traces older than `before` and beyond the newest `max_count`."""
        writer = await self._writer()
        if writer is not None:
            return await writer.retain(before, max_count)
        from dragoman.observe.traces import engine_writes

        return await engine_writes.retain(await self.engine(), before, max_count)

    async def _writer(self) -> SqliteWriter | None:
        """The SQLite file's writer; None for any other database. A file not (yet) at
        this dragoman's revision is made or migrated through SQLAlchemy first."""
        if self._sqlite is None and self._file is not None:
            if sqlite_revision(self._file) != HEAD:
                await self.engine()
            self._sqlite = SqliteWriter(self._file)
        return self._sqlite

    async def close(self) -> None:
        if self._sqlite is not None:
            await self._sqlite.close()
            self._sqlite = None
        if self._database is not None:
            await self._database.close()
            self._database = None


async def _opened(url: str, options: DatabaseConfig | None) -> Database:
    """The database, opened (and migrated) by whoever is first: another process (a
    command, a worker) migrating it at the same moment makes the first try fail."""
    from dragoman.store.db import UnusableDatabase, open_database

    try:
        return await open_database(url, options=options)
    except UnusableDatabase:
        await asyncio.sleep(OPEN_RETRY_SECONDS)
        return await open_database(url, options=options)

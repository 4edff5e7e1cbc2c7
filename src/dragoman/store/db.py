"""Opening the database: engine, private files, schema brought up to date."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from dragoman.store.durable import settle
from dragoman.store.files import prepare_home, sqlite_file
from dragoman.store.migrations import migrate

__all__ = ["Database", "open_database", "open_existing", "prepare_home"]


@dataclass(slots=True)
class Database:
    engine: AsyncEngine
    version: int

    async def close(self) -> None:
        # A write whose caller was cancelled is still running: it ends first.
        await settle()
        await self.engine.dispose()


async def open_database(url: str) -> Database:
    """Connect, migrate, and for SQLite make the file (and its journals) 0600."""
    path = sqlite_file(url)
    if path is not None:
        _create_private(path)
    engine = create_async_engine(url)
    if path is not None:
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    try:
        async with engine.begin() as connection:
            version = await migrate(connection)
    except BaseException:
        await engine.dispose()
        raise
    return Database(engine=engine, version=version)


async def open_existing(url: str) -> Database | None:
    """The database if it exists (for commands that only read), else None: a SQLite file
    is never created just to find it empty."""
    path = sqlite_file(url)
    if path is not None and not path.exists():
        return None
    return await open_database(url)


def _create_private(path: Path) -> None:
    # SQLite gives its -wal and -shm files the mode of the database file itself.
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.touch(mode=0o600, exist_ok=True)
    os.chmod(path, 0o600)


def _sqlite_pragmas(connection: object, _record: object) -> None:
    cursor = connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()

"""Opening the database: engine, private files, schema brought up to date."""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    InvalidRequestError,
    NoSuchModuleError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from dragoman.config import home_dir
from dragoman.config.schema import DatabaseConfig
from dragoman.observe.redact import redact
from dragoman.store.durable import settle
from dragoman.store.files import UnusableDatabase, prepare_home, sqlite_file
from dragoman.store.keyring import Keyring
from dragoman.store.migrations import LATEST, SchemaMismatch
from dragoman.store.migrations.check import BUSY_MS, migrate
from dragoman.store.sealed_rows import seal_plaintext

# A SQLite opener refused with "database is locked" while others make the file: how
# often it tries again, and how long it pauses before each try (times the try's number).
LOCKED_TRIES = 5
LOCKED_PAUSE_SECONDS = 0.2

__all__ = ["Database", "UnusableDatabase", "open_database", "open_existing", "prepare_home"]


@dataclass(slots=True)
class Database:
    engine: AsyncEngine
    # The schema's revision number (`migrations.LATEST`), and the one the database was
    # at when opened (None: it had no schema; `previous < version`: it was upgraded).
    version: int
    previous: int | None = None
    # What seals the accounts' secrets: the home's (DRAGOMAN_HOME's unless told).
    keys: Keyring = field(default_factory=lambda: Keyring(home_dir()))

    async def close(self) -> None:
        # A write whose caller was cancelled is still running: it ends first.
        await settle()
        await self.engine.dispose()


async def open_database(
    url: str,
    keys: Keyring | None = None,
    *,
    upgrade: bool | None = None,
    options: DatabaseConfig | None = None,
) -> Database:
    """Connect, check the schema, and for SQLite make the file (and its journals) 0600.
    A schema behind this dragoman's is brought up to date when `upgrade` says so, by
    default for SQLite only: a shared database (PostgreSQL) is upgraded by `dragoman db
    upgrade`, never by whichever replica starts first while the others run older code.
    With `keys` (the home's: `Keyring(settings.home)`), seal what a dragoman from before
    sealing left in clear. `options`: the settings' `[database]` (pool sizes, connect
    timeout) for a server. Raises UnusableDatabase when the URL, its driver, the
    connection or the schema fails."""
    path = sqlite_file(url)
    if path is not None:
        _create_private(url, path)
    options = options or DatabaseConfig()
    engine = _engine(url, options)
    if path is not None:
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    try:
        found = await _migrated(engine, upgrade)
        if keys is not None:
            await _seal(engine, keys)
    except SchemaMismatch as error:
        await engine.dispose()
        raise UnusableDatabase(url, str(error)) from None
    except (OSError, SQLAlchemyError) as error:
        await engine.dispose()
        raise UnusableDatabase(url, f"cannot open it: {_reason(error, options)}") from None
    except BaseException:
        await engine.dispose()
        raise
    previous = int(found) if found is not None else None
    return Database(engine=engine, version=LATEST, previous=previous, keys=keys or Keyring(home_dir()))


async def _migrated(engine: AsyncEngine, upgrade: bool | None) -> str | None:
    """The schema checked (and brought up to date when `upgrade` says so); the revision
    it was at. SQLite can say "database is locked" at once, without waiting, when
    openers of a new file race (seen with three in one process on a busy machine):
    such an opener tries again, and then finds the work done."""
    embedded = engine.dialect.name == "sqlite"
    for attempt in range(1, LOCKED_TRIES + 1):
        try:
            async with engine.begin() as connection:
                return await migrate(connection, upgrade=embedded if upgrade is None else upgrade)
        except OperationalError as error:
            if not embedded or "locked" not in str(error) or attempt == LOCKED_TRIES:
                raise
            await asyncio.sleep(LOCKED_PAUSE_SECONDS * attempt)
    raise AssertionError("unreachable")  # the loop returns or raises


async def _seal(engine: AsyncEngine, keys: Keyring) -> None:
    """Seal the secrets an earlier dragoman left in clear; on SQLite, then copy the
    write-ahead log into the file and empty it, so no page keeps them in clear."""
    async with engine.begin() as connection:
        sealed = await seal_plaintext(connection, keys)
    if sealed and engine.dialect.name == "sqlite":
        async with engine.connect() as connection:
            await connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def _engine(url: str, options: DatabaseConfig) -> AsyncEngine:
    """The engine, or an UnusableDatabase naming what is wrong with the URL or its driver."""
    kind = url.partition("://")[0]
    try:
        if kind.partition("+")[0] == "sqlite":
            return create_async_engine(url)
        # A server's connections can die under the pool (PostgreSQL restarted, an idle
        # one cut): each is checked as it is taken.
        return create_async_engine(url, pool_pre_ping=True, **_server_pool(kind, options))
    except NoSuchModuleError:  # before ArgumentError, its base class
        problem = f"no database driver for {kind} (e.g. sqlite+aiosqlite, postgresql+asyncpg)"
    except ArgumentError:
        problem = "not a database URL (e.g. postgresql+asyncpg://user:password@host/dragoman)"
    except ImportError as error:
        problem = f"the driver {error.name} is not installed here (pip install {error.name})"
    except InvalidRequestError:
        # SQLAlchemy's default driver of a dialect is often a blocking one.
        problem = f"{kind} is not an asyncio driver: name one, e.g. sqlite+aiosqlite, postgresql+asyncpg"
    raise UnusableDatabase(url, problem)


def _server_pool(kind: str, options: DatabaseConfig) -> dict[str, object]:
    """The pool's sizes, and the connect timeout in the words of the drivers that take one."""
    pool: dict[str, object] = {"pool_size": options.pool_size, "max_overflow": options.max_overflow}
    if kind.endswith("+asyncpg"):
        pool["connect_args"] = {"timeout": options.connect_timeout}
    return pool


def _reason(error: BaseException, options: DatabaseConfig) -> str:
    cause = error.orig if isinstance(error, DBAPIError) and error.orig is not None else error
    if isinstance(cause, TimeoutError):  # asyncpg's connect timeout, 60 s unless told
        return f"no answer within {options.connect_timeout:g} s (the [database] connect_timeout)"
    text = getattr(cause, "strerror", None) or str(cause) or type(cause).__name__
    return redact(text.strip().splitlines()[0])


async def open_existing(
    url: str, keys: Keyring | None = None, *, options: DatabaseConfig | None = None
) -> Database | None:
    """The database if it exists (for commands that only read), else None: a SQLite file
    is never created just to find it empty."""
    path = sqlite_file(url)
    if path is not None and not path.exists():
        return None
    return await open_database(url, keys, options=options)


def _create_private(url: str, path: Path) -> None:
    # SQLite gives its -wal and -shm files the mode of the database file itself.
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        path.touch(mode=0o600, exist_ok=True)
        os.chmod(path, 0o600)
    except OSError as error:
        raise UnusableDatabase(url, f"cannot create {path}: {error.strerror}") from None


def _sqlite_pragmas(connection: object, _record: object) -> None:
    cursor = connection.cursor()  # type: ignore[attr-defined]
    # The wait first: switching a new file to WAL waits for another opener's lock too.
    cursor.execute(f"PRAGMA busy_timeout={BUSY_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()

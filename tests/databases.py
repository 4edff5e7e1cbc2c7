"""The backends the store tests run on: SQLite in the test's folder, and the local
PostgreSQL (DRAGOMAN_TEST_POSTGRES_URL, else 127.0.0.1:5432 as postgres, trust auth).

One PostgreSQL database per test session, `dragoman_pg_<pid>`, made at its start and
dropped at its end; each test finds it at this dragoman's schema with every table
emptied (`database_url`), or with no schema at all (`empty_database_url`). CI runs the
PostgreSQL, so these tests are never skipped.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from dragoman.store.tables import metadata, schema_version

SERVER = os.environ.get("DRAGOMAN_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
BACKENDS = ["sqlite", "postgresql"]


async def _admin(statement: str) -> None:
    connection = await asyncpg.connect(SERVER)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


async def on_postgres(url: str, statement: str) -> None:
    """Run one statement on the test database (`url` as SQLAlchemy spells it)."""
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@contextlib.contextmanager
def scratch_database(name: str) -> Iterator[str]:
    """A PostgreSQL database `name` made empty on the server, as a `database_url`;
    dropped afterwards (connections and all)."""
    asyncio.run(_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    asyncio.run(_admin(f"CREATE DATABASE {name}"))
    base = SERVER.rpartition("/")[0].replace("postgresql://", "postgresql+asyncpg://")
    try:
        yield f"{base}/{name}"
    finally:
        asyncio.run(_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The session's own PostgreSQL database, as a `database_url`."""
    with scratch_database(f"dragoman_pg_{os.getpid()}") as url:
        yield url


_EMPTIED = ", ".join(table.name for table in metadata.sorted_tables if table is not schema_version)


async def ready_postgres(url: str) -> None:
    """The database at this dragoman's schema, every table emptied: a test's start."""
    from dragoman.store.db import open_database

    try:
        await on_postgres(url, f"TRUNCATE {_EMPTIED} RESTART IDENTITY")
        database = await open_database(url)
    except Exception:  # a test left it without a schema, or with another one
        await on_postgres(url, "DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        database = await open_database(url, upgrade=True)
    await database.close()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A database at this dragoman's schema with nothing in it (SQLite: a file not yet
    made, which opening makes)."""
    if backend == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'dragoman.db'}"
    url = str(request.getfixturevalue("postgres_url"))
    asyncio.run(ready_postgres(url))
    return url


@pytest.fixture
def empty_database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A database with no schema at all."""
    if backend == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'dragoman.db'}"
    url = str(request.getfixturevalue("postgres_url"))
    asyncio.run(on_postgres(url, "DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    return url

from __future__ import annotations

import socket
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import QueuePool, text

from dragoman.config.schema import DatabaseConfig
from dragoman.store import open_database
from dragoman.store.account_store import AccountStore
from dragoman.store.db import UnusableDatabase, prepare_home
from dragoman.store.migrations import LATEST


async def test_creates_a_private_database_at_the_latest_version(tmp_path: Path) -> None:
    home = tmp_path / "home"
    prepare_home(home)
    database = await open_database(f"sqlite+aiosqlite:///{home / 'dragoman.db'}")
    try:
        assert database.version == LATEST
        async with database.engine.connect() as connection:
            version = (await connection.execute(text("SELECT version FROM schema_version"))).scalar_one()
        assert version == LATEST
    finally:
        await database.close()
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    files = list(home.iterdir())
    assert "dragoman.db" in {path.name for path in files}  # else the loop below checks nothing
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


async def test_reopening_does_not_migrate_twice(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}"
    first = await open_database(url)
    await first.close()
    second = await open_database(url)
    try:
        async with second.engine.connect() as connection:
            rows = (await connection.execute(text("SELECT count(*) FROM schema_version"))).scalar_one()
        assert rows == 1
    finally:
        await second.close()


async def test_a_newer_database_is_refused_in_one_line(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}"
    database = await open_database(url)
    async with database.engine.begin() as connection:
        await connection.execute(text("UPDATE alembic_version SET version_num = '0999'"))
    await database.close()
    with pytest.raises(UnusableDatabase, match=r"^database_url .*: its schema is at revision 0999, newer"):
        await open_database(url)


def test_prepare_home_tightens_an_open_folder(tmp_path: Path) -> None:
    home = tmp_path / "open"
    home.mkdir(mode=0o755)
    prepare_home(home)
    assert stat.S_IMODE(home.stat().st_mode) == 0o700


@pytest.mark.parametrize(
    ("url", "says"),
    [
        (
            "postgresql+asyncpg://dbuser:db-pass-0001@127.0.0.1:1/dragoman",
            "cannot open it: Connect call failed ('127.0.0.1', 1)",
        ),
        ("mysql+aiomysql://dbuser:db-pass-0001@127.0.0.1:1/dragoman", "the driver aiomysql is not installed"),
        ("nosuchdb+nodriver://host/x", "no database driver for nosuchdb+nodriver"),
        ("sqlite:///{tmp}/sync.db", "sqlite is not an asyncio driver"),
        ("sqlite+aiosqlite:////proc/no-such-dir/x.db", "cannot create /proc/no-such-dir/x.db"),
        ("not a url at all", "not a database URL"),
    ],
)
async def test_a_database_that_cannot_open_is_one_config_error(tmp_path: Path, url: str, says: str) -> None:
    with pytest.raises(UnusableDatabase) as caught:
        await open_database(url.format(tmp=tmp_path))
    message = str(caught.value)
    assert message.startswith("database_url ") and says in message
    assert "\n" not in message and "db-pass-0001" not in message


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port whose listener takes connections and never answers (a server hung, or a
    firewall that swallows packets, as seen by a client): where asyncpg waits 60 s."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield int(listener.getsockname()[1])


async def test_a_server_that_does_not_answer_is_given_up_on_after_the_connect_timeout(
    silent_server: int,
) -> None:
    url = f"postgresql+asyncpg://dbuser:db-pass-0001@127.0.0.1:{silent_server}/dragoman"
    started = time.monotonic()
    with pytest.raises(UnusableDatabase) as caught:
        await open_database(url, options=DatabaseConfig(connect_timeout=0.5))
    assert time.monotonic() - started < 5
    message = str(caught.value)
    assert message.endswith("cannot open it: no answer within 0.5 s (the [database] connect_timeout)")
    assert "\n" not in message and "db-pass-0001" not in message


@pytest.mark.parametrize("backend", ["postgresql"])
async def test_a_server_pool_is_sized_by_the_settings(database_url: str) -> None:
    database = await open_database(database_url, options=DatabaseConfig(pool_size=1, max_overflow=2))
    try:
        pool = database.engine.pool
        assert isinstance(pool, QueuePool) and (pool.size(), pool._max_overflow) == (1, 2)
    finally:
        await database.close()


async def test_the_default_pools_of_a_process_fit_three_replicas_of_two_workers() -> None:
    """Three pools a process (accounts, traces, stored Responses): 3 x 2 x 3 of them
    under PostgreSQL's default max_connections, 100."""
    options = DatabaseConfig()
    assert 3 * 2 * 3 * (options.pool_size + options.max_overflow) < 100
    assert options.connect_timeout <= 15


async def test_a_file_that_is_not_a_database_is_one_config_error(tmp_path: Path) -> None:
    path = tmp_path / "garbage.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(
        UnusableDatabase, match=r"^database_url .*garbage\.db: cannot open it: .*not a database"
    ):
        await open_database(f"sqlite+aiosqlite:///{path}")


@pytest.mark.parametrize("backend", ["postgresql"])
async def test_a_server_side_disconnect_costs_no_request(database_url: str) -> None:
    # PostgreSQL restarted, or an idle connection cut by a proxy: the pool's connections
    # are dead, and the next read must not be the one that finds out.
    from tests.databases import on_postgres

    database = await open_database(database_url)
    try:
        store = AccountStore(database.engine, database.keys)
        await store.list()
        await on_postgres(
            database_url,
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()",
        )
        assert await store.list() == []
    finally:
        await database.close()

"""Migrations bring an older database up to date and keep what it held, on SQLite and
PostgreSQL; a schema newer than this dragoman, or (shared) older, is refused."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect, text
from sqlalchemy.ext.asyncio import create_async_engine

from dragoman.batches.store import BatchStore
from dragoman.observe.traces.engine_writes import add_usage
from dragoman.observe.traces.filters import TraceQuery, UsageQuery
from dragoman.observe.traces.ledger import ledger_rows
from dragoman.observe.traces.query import list_traces, usage
from dragoman.store import open_database
from dragoman.store.account_store import AccountStore
from dragoman.store.accounts import Account
from dragoman.store.db import UnusableDatabase
from dragoman.store.key_store import KeyStore
from dragoman.store.migrations import HEAD, LATEST, REVISIONS, VERSIONS
from dragoman.store.policy_store import PolicyStore
from dragoman.store.response_store import ResponseStore
from dragoman.store.tables import metadata
from tests.observe.traces.records import a_record
from tests.store.revisions import at_revision

V9_DUMP = Path(__file__).with_name("data") / "v9.sql"


def test_the_revisions_are_one_chain_numbered_as_their_files() -> None:
    script = ScriptDirectory(VERSIONS.parent)
    assert script.get_heads() == [HEAD]
    chain = [revision.revision for revision in reversed(list(script.walk_revisions()))]
    assert chain == list(REVISIONS) == [f"{n:04d}" for n in range(1, LATEST + 1)]
    for revision in script.walk_revisions():
        assert Path(revision.path).name.startswith(revision.revision + "_")


def _differences(connection: Connection) -> list[object]:
    found = compare_metadata(MigrationContext.configure(connection), metadata)
    return [one for one in found if "alembic_version" not in str(one)]


async def test_the_revisions_build_the_schema_tables_py_describes(empty_database_url: str) -> None:
    database = await open_database(empty_database_url, upgrade=True)
    try:
        assert (database.previous, database.version) == (None, LATEST)
        async with database.engine.connect() as connection:
            assert await connection.run_sync(_differences) == []
    finally:
        await database.close()


def _v9_database(path: Path) -> str:
    with sqlite3.connect(path) as connection:
        connection.executescript(V9_DUMP.read_text())
    return f"sqlite+aiosqlite:///{path}"


async def _revision(url: str) -> tuple[str, int]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            alembic = (await connection.execute(text("SELECT version_num FROM alembic_version"))).scalar_one()
            legacy = (await connection.execute(text("SELECT version FROM schema_version"))).scalar_one()
    finally:
        await engine.dispose()
    return alembic, legacy


async def test_a_database_of_the_old_migration_list_is_stamped_and_keeps_every_row(tmp_path: Path) -> None:
    url = _v9_database(tmp_path / "dragoman.db")
    database = await open_database(url)
    try:
        assert (database.previous, database.version) == (9, LATEST)
        [account] = await AccountStore(database.engine, database.keys).list()
        assert (account.id, account.label, account.api_key) == (1, "work", "sk-old-v9-0001")
        assert (await PolicyStore(database.engine).all())["work"].priority == 2
        assert [key.name for key in await KeyStore(database.engine).all()] == ["ci"]
        listed = await list_traces(database.engine, TraceQuery())
        assert [trace["id"] for trace in listed["traces"]] == ["req-2", "req-1"]
        ledger = await usage(database.engine, UsageQuery(group_by=("key",)))
        assert sorted((row["key"], row["requests"], row["cost"]) for row in ledger) == [
            ("", 1, 0.25),
            ("ci", 1, None),
        ]
        [batch] = (await BatchStore(database.engine).page(None, 10, None, None)).batches
        assert batch.counts == {"queued": 1}
        added = await AccountStore(database.engine, database.keys).add(
            Account("anthropic", api_key="sk-new-0002")
        )
        assert added.id == 2
    finally:
        await database.close()
    responses = ResponseStore(url)
    try:
        stored = await responses.get("resp_old")
        assert stored is not None and stored.input == [{"id": "in_1", "role": "user"}]
    finally:
        await responses.close()
    assert await _revision(url) == (HEAD, LATEST)


async def test_a_newer_schema_is_refused_and_left_alone(database_url: str) -> None:
    await (await open_database(database_url)).close()  # made (SQLite), at HEAD
    newer = f"{LATEST + 1:04d}"
    engine = create_async_engine(database_url)
    async with engine.begin() as connection:
        await connection.execute(text(f"UPDATE alembic_version SET version_num = '{newer}'"))
    await engine.dispose()
    for upgrade in (False, True):
        with pytest.raises(UnusableDatabase) as refused:
            await open_database(database_url, upgrade=upgrade)
        message = str(refused.value)
        assert f"its schema is at revision {newer}, newer than this dragoman" in message
        assert message.endswith("upgrade dragoman") and "\n" not in message
    assert (await _revision(database_url))[0] == newer


async def test_an_old_list_number_beyond_this_dragoman_is_refused(tmp_path: Path) -> None:
    url = _v9_database(tmp_path / "dragoman.db")
    with sqlite3.connect(tmp_path / "dragoman.db") as connection:
        connection.execute("UPDATE schema_version SET version = 99")
    with pytest.raises(UnusableDatabase, match="at revision 0099, newer than this dragoman"):
        await open_database(url)


async def test_a_shared_database_behind_is_refused_until_db_upgrade(postgres_url: str) -> None:
    url = postgres_url
    await _empty(url)
    with pytest.raises(UnusableDatabase, match=r"its schema is empty, .* run `dragoman db upgrade`$"):
        await open_database(url)
    await at_revision(url, "0004")
    with pytest.raises(
        UnusableDatabase, match=rf"at revision 0004, this dragoman needs {HEAD}: run `dragoman db"
    ):
        await open_database(url)
    database = await open_database(url, upgrade=True)
    await database.close()
    assert (database.previous, database.version) == (4, LATEST)


async def _empty(url: str) -> None:
    from tests.databases import on_postgres

    await on_postgres(url, "DROP SCHEMA public CASCADE; CREATE SCHEMA public")


async def test_processes_migrating_at_once_take_turns(empty_database_url: str) -> None:
    opened = await asyncio.gather(*(open_database(empty_database_url, upgrade=True) for _ in range(3)))
    for database in opened:
        await database.close()
    assert sorted(database.previous or 0 for database in opened) == [0, LATEST, LATEST]
    assert await _revision(empty_database_url) == (HEAD, LATEST)


async def test_a_version_2_database_gains_pool_policies_and_keeps_its_accounts(
    empty_database_url: str,
) -> None:
    url = empty_database_url
    await at_revision(url, "0002", legacy=True)
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO accounts (provider, label, auth, api_key, models, scopes, created_at, extra)"
                " VALUES ('openai', 'work', 'api_key', 'sk-old', '[]', '[]', 1.0, '{}')"
            )
        )
    await engine.dispose()
    database = await open_database(url, upgrade=True)
    try:
        assert database.version == LATEST
        [account] = await AccountStore(database.engine, database.keys).list()
        assert (account.label, account.api_key) == ("work", "sk-old")
        policies = PolicyStore(database.engine)
        changed = await policies.change("work", {"priority": 2, "enabled": False})
        assert (await policies.all())["work"] == changed
        added = await AccountStore(database.engine, database.keys).add(
            Account(provider="anthropic", api_key="sk-new")
        )
        assert added.label == "anthropic" and added.id == 2
    finally:
        await database.close()


async def test_a_version_4_ledger_keeps_its_rows_as_unrouted(empty_database_url: str) -> None:
    url = empty_database_url
    await at_revision(url, "0004")
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO usage_ledger VALUES"
                " ('2026-11-30', 'work', 'gpt-5', '', 3, 1, 100, 50, 0, 20, 5, 0.25),"
                " ('2026-12-01', 'work', 'gpt-5', 'ci', 1, 0, 10, 0, 0, 2, 0, NULL)"
            )
        )
    await engine.dispose()
    database = await open_database(url, upgrade=True)
    try:
        rows = await usage(database.engine, UsageQuery(group_by=("day", "key", "route")))
        assert [(row["day"], row["key"], row["route"], row["requests"], row["cost"]) for row in rows] == [
            ("2026-12-01", "ci", "", 1, None),
            ("2026-11-30", "", "", 3, 0.25),
        ]
        assert {(row["unpriced"], row["baseline_cost"]) for row in rows} == {(0, None)}
        routed = {"tier": "simple", "rule": None, "baseline_cost": 1.0}
        async with database.engine.begin() as connection:
            await add_usage(connection, ledger_rows([a_record(1, key=None, cost=0.5, routing=routed)]))
            await add_usage(connection, ledger_rows([a_record(2, key=None, cost=0.5, routing=routed)]))
        by_route = await usage(database.engine, UsageQuery(group_by=("route",)))
        assert sorted((row["route"], row["requests"], row["baseline_cost"]) for row in by_route) == [
            ("", 4, None),
            ("auto simple", 2, 2.0),
        ]
    finally:
        await database.close()


async def _trace_indexes(url: str) -> set[str]:
    engine = create_async_engine(url)
    async with engine.connect() as connection:
        found = await connection.run_sync(lambda sync: inspect(sync).get_indexes("traces"))
    await engine.dispose()
    return {index["name"] for index in found}


async def test_a_version_4_database_keeps_only_the_trace_indexes_listings_use(
    empty_database_url: str,
) -> None:
    url = empty_database_url
    await at_revision(url, "0004")
    assert "ix_traces_model" in await _trace_indexes(url)
    database = await open_database(url, upgrade=True)
    await database.close()
    assert await _trace_indexes(url) == {"ix_traces_id", "ix_traces_time"}


STARTUP = """
import asyncio, sys
from dragoman.store.db import open_database
async def main():
    database = await open_database(sys.argv[1])
    await database.close()
    print("alembic" in sys.modules)
asyncio.run(main())
"""


def test_an_up_to_date_database_opens_without_loading_alembic(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'dragoman.db'}"
    loaded = [
        subprocess.run(
            [sys.executable, "-c", STARTUP, url], capture_output=True, text=True, check=True, timeout=60
        ).stdout.strip()
        for _ in range(2)
    ]
    assert loaded == ["True", "False"]  # made (migrated), then opened as it is

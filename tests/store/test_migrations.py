"""Migrations bring an older database up to date and keep what it held."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect, text, update
from sqlalchemy.ext.asyncio import create_async_engine

from dragoman.observe.traces.filters import UsageQuery
from dragoman.observe.traces.ledger import ledger_rows
from dragoman.observe.traces.query import usage
from dragoman.observe.traces.store import add_usage
from dragoman.store import open_database
from dragoman.store.account_store import AccountStore
from dragoman.store.accounts import Account
from dragoman.store.migrations import LATEST, MIGRATIONS
from dragoman.store.policy_store import PolicyStore
from dragoman.store.tables import schema_version
from tests.observe.traces.records import a_record


async def _version_2(url: str) -> None:
    """A database as dragoman left it before pool policies were stored: one account."""
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        for number, migration in enumerate(MIGRATIONS[:2], start=1):
            await migration(connection)
            await connection.execute(update(schema_version).values(version=number))
        await connection.execute(
            text(
                "INSERT INTO accounts (provider, label, auth, api_key, models, scopes, created_at, extra)"
                " VALUES ('openai', 'work', 'api_key', 'sk-old', '[]', '[]', 1.0, '{}')"
            )
        )
    await engine.dispose()


async def test_a_version_2_database_gains_pool_policies_and_keeps_its_accounts(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'dragoman.db'}"
    await _version_2(url)
    database = await open_database(url)
    try:
        assert database.version == LATEST
        [account] = await AccountStore(database.engine, database.keys).list()
        assert (account.label, account.api_key) == ("work", "sk-old")
        policies = PolicyStore(database.engine)
        assert await policies.all() == {}
        changed = await policies.change("work", {"priority": 2, "enabled": False})
        assert (await policies.all())["work"] == changed
    finally:
        await database.close()


async def test_a_new_account_after_the_migration_is_stored_as_before(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'dragoman.db'}"
    await _version_2(url)
    database = await open_database(url)
    try:
        added = await AccountStore(database.engine, database.keys).add(
            Account(provider="anthropic", api_key="sk-new")
        )
        assert added.label == "anthropic" and added.id == 2
    finally:
        await database.close()


async def _version_4_with_usage(url: str) -> None:
    """A database as dragoman left it before the ledger knew routes: two ledger rows."""
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        for number, migration in enumerate(MIGRATIONS[:4], start=1):
            await migration(connection)
            await connection.execute(update(schema_version).values(version=number))
        await connection.execute(
            text(
                "INSERT INTO usage_ledger VALUES"
                " ('2026-11-30', 'work', 'gpt-5', '', 3, 1, 100, 50, 0, 20, 5, 0.25),"
                " ('2026-12-01', 'work', 'gpt-5', 'ci', 1, 0, 10, 0, 0, 2, 0, NULL)"
            )
        )
    await engine.dispose()


async def test_a_version_4_ledger_keeps_its_rows_as_unrouted(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'dragoman.db'}"
    await _version_4_with_usage(url)
    database = await open_database(url)
    try:
        assert database.version == LATEST
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


async def test_a_version_4_database_keeps_only_the_trace_indexes_listings_use(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'dragoman.db'}"
    engine = create_async_engine(url)
    async with engine.begin() as connection:
        for number, migration in enumerate(MIGRATIONS[:4], start=1):
            await migration(connection)
            await connection.execute(update(schema_version).values(version=number))
    await engine.dispose()
    assert "ix_traces_model" in await _trace_indexes(url)
    database = await open_database(url)
    await database.close()
    assert await _trace_indexes(url) == {"ix_traces_id", "ix_traces_time"}

"""Schema migrations: an ordered list, each run once, the version recorded after each.

To change the schema, append a function taking a connection; never edit one that has
shipped. `migrate` brings any older database up to `LATEST`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ColumnElement,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    column,
    insert,
    literal,
    select,
    table,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.schema import DropIndex

from dragoman import __version__
from dragoman.store.tables import schema_version

Migration = Callable[[AsyncConnection], Awaitable[None]]


async def _v1_version_table(connection: AsyncConnection) -> None:
    await connection.run_sync(lambda sync: schema_version.create(sync, checkfirst=True))
    await connection.execute(insert(schema_version).values(id=1, version=0, applied_by=__version__))


async def _v2_accounts(connection: AsyncConnection) -> None:
    # The table as this migration shipped it, frozen here: `tables.accounts` may grow
    # later, and its new columns belong to the later migration that adds them.
    frozen = Table(
        "accounts",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("provider", String(64), nullable=False),
        Column("label", String(128), nullable=False, unique=True),
        Column("auth", String(16), nullable=False),
        Column("api_key", Text),
        Column("api_key_env", String(256)),
        Column("base_url", Text),
        Column("dialect", String(32)),
        Column("models", JSON, nullable=False),
        Column("access_token", Text),
        Column("refresh_token", Text),
        Column("expires_at", Float),
        Column("account_id", String(256)),
        Column("email", String(320)),
        Column("plan", String(64)),
        Column("scopes", JSON, nullable=False),
        Column("created_at", Float, nullable=False),
        Column("refreshed_at", Float),
        Column("extra", JSON, nullable=False),
        sqlite_autoincrement=True,
    )
    await connection.run_sync(lambda sync: frozen.create(sync))


async def _v3_account_policies(connection: AsyncConnection) -> None:
    frozen = Table(
        "account_policies",
        MetaData(),
        Column("label", String(128), primary_key=True),
        Column("priority", Integer),
        Column("weight", Float),
        Column("max_concurrent", Integer),
        Column("enabled", Boolean),
        Column("updated_at", Float, nullable=False),
    )
    await connection.run_sync(lambda sync: frozen.create(sync))


async def _v4_traces(connection: AsyncConnection) -> None:
    # Frozen as shipped, like `_v2_accounts`.
    frozen = MetaData()
    Table(
        "traces",
        frozen,
        Column("seq", Integer, primary_key=True, autoincrement=True),
        Column("id", String(128), nullable=False, index=True),
        Column("time", Float, nullable=False, index=True),
        Column("key", String(64), nullable=False, index=True),
        Column("client", String(64)),
        Column("model", String(256), index=True),
        Column("upstream_model", String(256)),
        Column("provider", String(64)),
        Column("account", String(128), nullable=False),
        Column("status", Integer, nullable=False, index=True),
        Column("failed", Boolean, nullable=False),
        Column("record", Text, nullable=False),
        Column("bodies", Text),
        Index("ix_traces_provider_account", "provider", "account"),
    )
    Table(
        "usage_ledger",
        frozen,
        Column("day", String(10), primary_key=True),
        Column("account", String(128), primary_key=True),
        Column("model", String(256), primary_key=True),
        Column("key", String(64), primary_key=True),
        *(Column(name, Integer, nullable=False) for name in _LEDGER_COUNTS),
        Column("cost", Float),
    )
    await connection.run_sync(lambda sync: frozen.create_all(sync))


_LEDGER_COUNTS = ("requests", "errors", "input_uncached", "cache_read", "cache_write", "output", "reasoning")


async def _v5_ledger_routes(connection: AsyncConnection) -> None:
    # The ledger gains `route` in its key (what `usage --savings` sums by) and the
    # baseline prices. Neither SQLite nor PostgreSQL can change a primary key in
    # place: the table is built anew under another name, filled, then renamed (a
    # rename first would leave PostgreSQL's `usage_ledger_pkey` index name taken).
    built = Table(
        "usage_ledger_v5",
        MetaData(),
        *(Column(name, String(size), primary_key=True) for name, size in _LEDGER_KEY),
        Column("route", String(320), primary_key=True),
        *(Column(name, Integer, nullable=False) for name in (*_LEDGER_COUNTS, "unpriced")),
        Column("cost", Float),
        Column("baseline_cost", Float),
        Column("compared_cost", Float),
    )
    await connection.run_sync(lambda sync: built.create(sync))
    kept = [*(name for name, _ in _LEDGER_KEY), *_LEDGER_COUNTS, "cost"]
    copied: list[ColumnElement[Any]] = [column(name) for name in kept]
    copied += [literal("").label("route"), literal(0).label("unpriced")]
    old = select(*copied).select_from(table("usage_ledger"))
    await connection.execute(insert(built).from_select([*kept, "route", "unpriced"], old))
    await connection.execute(text("DROP TABLE usage_ledger"))
    await connection.execute(text("ALTER TABLE usage_ledger_v5 RENAME TO usage_ledger"))


_LEDGER_KEY = (("day", 10), ("account", 128), ("model", 256), ("key", 64))


async def _v6_local_keys(connection: AsyncConnection) -> None:
    # Frozen as shipped, like `_v2_accounts`.
    frozen = Table(
        "local_keys",
        MetaData(),
        Column("name", String(64), primary_key=True),
        Column("digest", String(64), nullable=False, unique=True),
        Column("prefix", String(16), nullable=False),
        Column("options", JSON, nullable=False),
        Column("created_at", Float, nullable=False),
        Column("expires_at", Float),
        Column("revoked_at", Float),
        Column("updated_at", Float, nullable=False),
    )
    await connection.run_sync(lambda sync: frozen.create(sync))


async def _v7_trace_indexes(connection: AsyncConnection) -> None:
    # Every trace written updated six indexes; listings need two (`tables.traces`).
    frozen = Table(
        "traces",
        MetaData(),
        *(Column(name, String(256)) for name in ("key", "model", "provider", "account")),
        Column("status", Integer),
    )
    column = frozen.c
    for index in (
        Index("ix_traces_key", column.key),
        Index("ix_traces_model", column.model),
        Index("ix_traces_status", column.status),
        Index("ix_traces_provider_account", column.provider, column.account),
    ):
        await connection.execute(DropIndex(index, if_exists=True))


async def _v8_responses(connection: AsyncConnection) -> None:
    # Frozen as shipped, like `_v2_accounts`.
    frozen = Table(
        "responses",
        MetaData(),
        Column("id", String(64), primary_key=True),
        Column("created_at", Float, nullable=False, index=True),
        Column("key", String(64), nullable=False),
        Column("account", String(128), nullable=False),
        Column("kept", Boolean, nullable=False),
        Column("previous_response_id", String(64)),
        Column("response", Text, nullable=False),
        Column("input", Text, nullable=False),
    )
    await connection.run_sync(lambda sync: frozen.create(sync))


async def _v9_batches(connection: AsyncConnection) -> None:
    # Frozen as shipped, like `_v2_accounts`.
    frozen = MetaData()
    Table(
        "message_batches",
        frozen,
        Column("seq", Integer, primary_key=True, autoincrement=True),
        Column("id", String(64), nullable=False, unique=True),
        Column("key", String(64), nullable=False),
        Column("created_at", Float, nullable=False),
        Column("expires_at", Float, nullable=False),
        Column("cancel_initiated_at", Float),
        Column("ended_at", Float),
    )
    Table(
        "message_batch_requests",
        frozen,
        Column("batch_id", String(64), primary_key=True),
        Column("custom_id", String(64), primary_key=True),
        Column("position", Integer, nullable=False),
        Column("queued_at", Float, nullable=False),
        Column("params", JSON, nullable=False),
        Column("state", String(16), nullable=False, index=True),
        Column("claimed_by", String(160)),
        Column("claimed_at", Float),
        Column("result", JSON),
        Column("finished_at", Float),
    )
    await connection.run_sync(lambda sync: frozen.create_all(sync))


MIGRATIONS: list[Migration] = [
    _v1_version_table,
    _v2_accounts,
    _v3_account_policies,
    _v4_traces,
    _v5_ledger_routes,
    _v6_local_keys,
    _v7_trace_indexes,
    _v8_responses,
    _v9_batches,
]
LATEST = len(MIGRATIONS)


async def current_version(connection: AsyncConnection) -> int:
    exists = await connection.run_sync(lambda sync: sync.dialect.has_table(sync, schema_version.name))
    if not exists:
        return 0
    row = (await connection.execute(select(schema_version.c.version))).first()
    return int(row[0]) if row else 0


async def migrate(connection: AsyncConnection) -> int:
    """Apply every migration newer than the database. Returns the version reached."""
    version = await current_version(connection)
    if version > LATEST:
        raise RuntimeError(
            f"the database is at schema version {version}, newer than this dragoman "
            f"({__version__}, version {LATEST}): upgrade dragoman"
        )
    for number in range(version, LATEST):
        await MIGRATIONS[number](connection)
        await connection.execute(update(schema_version).values(version=number + 1, applied_by=__version__))
    return LATEST

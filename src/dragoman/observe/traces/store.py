"""Traces in the database: batches written in one transaction, usage added to the
ledger, old traces deleted.

The ledger's rows are summed in Python per (day, account, model, key, route) first, then
upserted (`INSERT ... ON CONFLICT DO UPDATE`, which SQLite and PostgreSQL share), so a
batch of 200 requests on one model is one ledger statement. "None" is stored as empty
text in key, account and route, because a primary key cannot hold NULL.
"""

from __future__ import annotations

import asyncio
from functools import cache
from typing import Any

import orjson
from sqlalchemy import case, delete, func, insert, literal_column, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql.dml import Insert

from dragoman.observe.traces.ledger import COSTS, COUNTS, DIMENSIONS, ledger_rows
from dragoman.observe.traces.record import Record, failed
from dragoman.observe.traces.sqlite_writer import SqliteWriter
from dragoman.store.db import Database, UnusableDatabase, open_database
from dragoman.store.files import sqlite_file
from dragoman.store.tables import traces, usage_ledger

OPEN_RETRY_SECONDS = 0.5


class TraceStore:
    """The traces table and the usage ledger of one database, opened on first use."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._database: Database | None = None
        self._opening = asyncio.Lock()
        self._insert: tuple[str, bool] | None = None
        self._sqlite: SqliteWriter | None = None

    async def engine(self) -> AsyncEngine:
        async with self._opening:
            if self._database is None:
                self._database = await _opened(self.url)
                self._sqlite = _sqlite_writer(self.url, self._database.engine.dialect)
        return self._database.engine

    async def write(self, records: list[Record]) -> None:
        engine = await self.engine()
        if self._sqlite is not None:
            await self._sqlite.write(lambda: _rows(records))
            return
        async with engine.begin() as connection:
            sql, positional = self._insert or self._compiled(connection.dialect)
            rows = [row_of(record) for record in records]
            named = [dict(zip(COLUMNS, row, strict=True)) for row in rows] if not positional else []
            await connection.exec_driver_sql(sql, rows if positional else named)
            await add_usage(connection, ledger_rows(records))

    def _compiled(self, dialect: Dialect) -> tuple[str, bool]:
        self._insert = _compiled(dialect)
        return self._insert

    async def retain(self, before: float, max_count: int) -> int:
        """Delete traces older than `before` and beyond the newest `max_count`."""
        engine = await self.engine()
        async with engine.begin() as connection:
            return await retain(connection, before, max_count)

    async def close(self) -> None:
        if self._sqlite is not None:
            await self._sqlite.close()
            self._sqlite = None
        if self._database is not None:
            await self._database.close()
            self._database = None


async def _opened(url: str) -> Database:
    """The database, opened (and migrated) by whoever is first: another process (a
    command, a worker) migrating it at the same moment makes the first try fail."""
    try:
        return await open_database(url)
    except UnusableDatabase:
        await asyncio.sleep(OPEN_RETRY_SECONDS)
        return await open_database(url)


def _sqlite_writer(url: str, dialect: Dialect) -> SqliteWriter | None:
    """The thread that writes batches to a SQLite file; None for any other database."""
    path = sqlite_file(url)
    if path is None:
        return None
    insert_sql, positional = _compiled(dialect)
    upsert = _upsert(dialect.name).compile(dialect=dialect, column_keys=list(LEDGER_COLUMNS))
    assert positional and tuple(upsert.positiontup or ()) == LEDGER_COLUMNS
    return SqliteWriter(path, insert_sql, str(upsert))


def _rows(records: list[Record]) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """A batch's trace rows and ledger rows, as tuples in their statements' order."""
    ledger = [tuple(row[name] for name in LEDGER_COLUMNS) for row in ledger_rows(records)]
    return [row_of(record) for record in records], ledger


COLUMNS = (
    "id", "time", "key", "client", "model", "upstream_model", "provider", "account", "status", "failed",
    "record", "bodies",
)  # fmt: skip


# The columns' lengths: PostgreSQL refuses a longer value (SQLite keeps it), and a
# client names any model it likes; one such would lose the batch written with it. The
# record (JSON) keeps every value whole.
_CUT: dict[str, int] = {
    name: getattr(traces.c[name].type, "length")  # noqa: B009  (every one a String(n))
    for name in ("key", "client", "model", "upstream_model", "provider", "account")
}


def _cut(value: str | None, column: str) -> str | None:
    return value[: _CUT[column]] if value is not None else None


LEDGER_COLUMNS = (*DIMENSIONS, *COUNTS, *COSTS)


def _compiled(dialect: Dialect) -> tuple[str, bool]:
    """The insert as the driver takes it, compiled once: SQLAlchemy's per-row
    parameter processing cost more than SQLite's write of the row."""
    # Inline: no RETURNING of each new `seq` (PostgreSQL's default), never read.
    compiled = insert(traces).inline().compile(dialect=dialect, column_keys=list(COLUMNS))
    # A positional driver (SQLite's `?`, asyncpg's `$1`) takes tuples in this order.
    assert compiled.positiontup is None or tuple(compiled.positiontup) == COLUMNS
    return str(compiled), compiled.positiontup is not None


def row_of(record: Record) -> tuple[Any, ...]:
    """The record's row, valued in `COLUMNS` order."""
    bodies = record["bodies"]
    kept = record if bodies is None else {**record, "bodies": None}
    return (
        record["id"],
        record["time"],
        _cut(record["key"] or "", "key"),
        _cut(record["client"], "client"),
        _cut(record["model"], "model"),
        _cut(record["upstream_model"], "upstream_model"),
        _cut(record["provider"], "provider"),
        _cut(record["account"] or "", "account"),
        record["status"],
        failed(record),
        orjson.dumps(kept).decode(),
        orjson.dumps(bodies).decode() if bodies is not None else None,
    )


async def add_usage(connection: AsyncConnection, rows: list[dict[str, Any]]) -> None:
    if rows:
        await connection.execute(_upsert(connection.dialect.name), rows)


@cache
def _upsert(dialect_name: str) -> Insert:
    """The ledger's upsert, built once per dialect: building it for each batch cost
    more than the batch's write."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    statement = dialect.insert(usage_ledger)
    new = statement.excluded
    ledger = usage_ledger.c
    added: dict[str, Any] = {name: ledger[name] + new[name] for name in COUNTS}
    # A cost stays None (unknown) until some request of the row has one.
    for name in COSTS:
        added[name] = case(
            # A literal, not a parameter: the compiled statement takes only the row's values.
            (new[name].is_(None), ledger[name]),
            else_=func.coalesce(ledger[name], literal_column("0.0")) + new[name],
        )
    upsert: Insert = statement.on_conflict_do_update(index_elements=list(DIMENSIONS), set_=added)
    return upsert


async def retain(connection: AsyncConnection, before: float, max_count: int) -> int:
    """Delete the traces older than `before`, and those beyond the newest `max_count`."""
    removed = (await connection.execute(delete(traces).where(traces.c.time < before))).rowcount
    oldest_kept = (
        select(traces.c.time).order_by(traces.c.time.desc()).offset(max_count - 1).limit(1).scalar_subquery()
    )
    removed += (await connection.execute(delete(traces).where(traces.c.time < oldest_kept))).rowcount
    return int(removed)

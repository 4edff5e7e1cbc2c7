"""Traces written through SQLAlchemy's asyncio engine: every database but a SQLite
file (PostgreSQL), and the ledger's upsert as SQLAlchemy builds it for each dialect.

The ledger's rows are summed in Python per (day, account, model, key, route) first, then
upserted (`INSERT ... ON CONFLICT DO UPDATE`, which SQLite and PostgreSQL share), so a
batch of 200 requests on one model is one ledger statement. "None" is stored as empty
text in key, account and route, because a primary key cannot hold NULL.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import case, delete, func, insert, literal_column, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql.dml import Insert

from dragoman.observe.traces.ledger import COSTS, COUNTS, DIMENSIONS, ledger_rows
from dragoman.observe.traces.outcome import Record
from dragoman.observe.traces.rows import COLUMNS, row_of
from dragoman.store.tables import traces, usage_ledger


async def write(engine: AsyncEngine, records: list[Record]) -> None:
    """The records and their usage, in one transaction."""
    async with engine.begin() as connection:
        sql, positional = compiled_insert(connection.dialect)
        rows = [row_of(record) for record in records]
        named = [dict(zip(COLUMNS, row, strict=True)) for row in rows] if not positional else []
        await connection.exec_driver_sql(sql, rows if positional else named)
        await add_usage(connection, ledger_rows(records))


def compiled_insert(dialect: Dialect) -> tuple[str, bool]:
    """The insert as the driver takes it, and whether it takes tuples (else dicts)."""
    return _compiled_insert(dialect.name, dialect)


@cache
def _compiled_insert(_name: str, dialect: Dialect) -> tuple[str, bool]:
    """Compiled once per dialect: SQLAlchemy's per-row parameter processing cost more
    than SQLite's write of the row."""
    # Inline: no RETURNING of each new `seq` (PostgreSQL's default), never read.
    compiled = insert(traces).inline().compile(dialect=dialect, column_keys=list(COLUMNS))
    # A positional driver (SQLite's `?`, asyncpg's `$1`) takes tuples in this order.
    assert compiled.positiontup is None or tuple(compiled.positiontup) == COLUMNS
    return str(compiled), compiled.positiontup is not None


async def add_usage(connection: AsyncConnection, rows: list[dict[str, Any]]) -> None:
    if rows:
        await connection.execute(upsert(connection.dialect.name), rows)


@cache
def upsert(dialect_name: str) -> Insert:
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
    built: Insert = statement.on_conflict_do_update(index_elements=list(DIMENSIONS), set_=added)
    return built


async def retain(engine: AsyncEngine, before: float, max_count: int) -> int:
    """Delete the traces older than `before`, and those beyond the newest `max_count`."""
    async with engine.begin() as connection:
        removed = (await connection.execute(delete(traces).where(traces.c.time < before))).rowcount
        oldest_kept = (
            select(traces.c.time)
            .order_by(traces.c.time.desc())
            .offset(max_count - 1)
            .limit(1)
            .scalar_subquery()
        )
        removed += (await connection.execute(delete(traces).where(traces.c.time < oldest_kept))).rowcount
    return int(removed)

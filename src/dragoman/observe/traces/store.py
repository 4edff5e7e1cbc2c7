"""Traces in the database: batches written in one transaction, usage added to the
ledger, old traces deleted.

The ledger's rows are summed in Python per (day, account, model, key, route) first, then
upserted (`INSERT ... ON CONFLICT DO UPDATE`, which SQLite and PostgreSQL share), so a
batch of 200 requests on one model is one ledger statement. "None" is stored as empty
text in key, account and route, because a primary key cannot hold NULL.
"""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
from sqlalchemy import case, delete, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from dragoman.observe.traces.ledger import COSTS, COUNTS, DIMENSIONS, ledger_rows
from dragoman.observe.traces.record import Record, failed
from dragoman.store.db import Database, UnusableDatabase, open_database
from dragoman.store.tables import traces, usage_ledger

OPEN_RETRY_SECONDS = 0.5


class TraceStore:
    """The traces table and the usage ledger of one database, opened on first use."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._database: Database | None = None
        self._opening = asyncio.Lock()

    async def engine(self) -> AsyncEngine:
        async with self._opening:
            if self._database is None:
                self._database = await _opened(self.url)
        return self._database.engine

    async def write(self, records: list[Record]) -> None:
        engine = await self.engine()
        async with engine.begin() as connection:
            await connection.execute(insert(traces), [row_of(record) for record in records])
            await add_usage(connection, ledger_rows(records))

    async def retain(self, before: float, max_count: int) -> int:
        """Delete traces older than `before` and beyond the newest `max_count`."""
        engine = await self.engine()
        async with engine.begin() as connection:
            return await retain(connection, before, max_count)

    async def close(self) -> None:
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


def row_of(record: Record) -> dict[str, Any]:
    bodies = record.get("bodies")
    return {
        "id": record["id"],
        "time": record["time"],
        "key": record["key"] or "",
        "client": record["client"],
        "model": record["model"],
        "upstream_model": record["upstream_model"],
        "provider": record["provider"],
        "account": record["account"] or "",
        "status": record["status"],
        "failed": failed(record),
        "record": orjson.dumps({**record, "bodies": None}).decode(),
        "bodies": orjson.dumps(bodies).decode() if bodies is not None else None,
    }


async def add_usage(connection: AsyncConnection, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(usage_ledger)
    new = statement.excluded
    ledger = usage_ledger.c
    added: dict[str, Any] = {name: ledger[name] + new[name] for name in COUNTS}
    # A cost stays None (unknown) until some request of the row has one.
    for name in COSTS:
        added[name] = case(
            (new[name].is_(None), ledger[name]), else_=func.coalesce(ledger[name], 0.0) + new[name]
        )
    upsert = statement.on_conflict_do_update(index_elements=list(DIMENSIONS), set_=added)
    await connection.execute(upsert, rows)


async def retain(connection: AsyncConnection, before: float, max_count: int) -> int:
    """Delete the traces older than `before`, and those beyond the newest `max_count`."""
    removed = (await connection.execute(delete(traces).where(traces.c.time < before))).rowcount
    oldest_kept = (
        select(traces.c.time).order_by(traces.c.time.desc()).offset(max_count - 1).limit(1).scalar_subquery()
    )
    removed += (await connection.execute(delete(traces).where(traces.c.time < oldest_kept))).rowcount
    return int(removed)

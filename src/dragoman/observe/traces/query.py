"""The same questions as `filters`, answered from the database: one page of traces,
one trace, usage from the ledger, and purging. The routes and the offline CLI
(`dragoman traces`, `dragoman usage` with no server running) both call these."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import ColumnElement, and_, delete, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncEngine

from dragoman.observe.traces.filters import TraceQuery, UsageQuery, page
from dragoman.observe.traces.ledger import COSTS, COUNTS, regroup
from dragoman.observe.traces.outcome import Record
from dragoman.store.tables import traces, usage_ledger


async def list_traces(engine: AsyncEngine, query: TraceQuery) -> dict[str, Any]:
    """A page of traces, newest first, without their bodies."""
    statement = (
        select(traces.c.record)
        .where(*conditions(query))
        .order_by(traces.c.time.desc(), traces.c.id.desc())
        .limit(query.limit + 1)
    )
    async with engine.connect() as connection:
        rows = (await connection.execute(statement)).scalars().all()
    return page([orjson.loads(row) for row in rows], query.limit)


async def get_trace(engine: AsyncEngine, trace_id: str) -> Record | None:
    """One trace with its bodies (None when it has none), or None; of two requests
    whose client gave the same id, the later."""
    statement = (
        select(traces.c.record, traces.c.bodies)
        .where(traces.c.id == trace_id)
        .order_by(traces.c.seq.desc())
        .limit(1)
    )
    async with engine.connect() as connection:
        row = (await connection.execute(statement)).first()
    if row is None:
        return None
    record: Record = orjson.loads(row.record)
    record["bodies"] = orjson.loads(row.bodies) if row.bodies is not None else None
    return record


async def all_traces(engine: AsyncEngine, query: TraceQuery, batch: int = 1000) -> list[Record]:
    """Every trace the query's filters select (its limit is the page size read)."""
    found: list[Record] = []
    while True:
        answer = await list_traces(engine, query)
        found += answer["traces"]
        if answer["next"] is None:
            return found
        query = query.model_copy(update={"cursor": answer["next"], "limit": batch})


async def usage(engine: AsyncEngine, query: UsageQuery) -> list[dict[str, Any]]:
    """The ledger grouped as asked, newest day first, then by tokens."""
    first, last = query.day_range()
    ledger = usage_ledger.c
    chosen = [
        first is None or ledger.day >= first,
        last is None or ledger.day <= last,
        *(
            ledger[name] == getattr(query, name)
            for name in ("account", "model", "key")
            if getattr(query, name)
        ),
    ]
    dimensions = [ledger[name] for name in query.group_by]
    sums = [func.sum(ledger[name]).label(name) for name in (*COUNTS, *COSTS)]
    statement = select(*dimensions, *sums).where(*_sql(chosen)).group_by(*dimensions)
    async with engine.connect() as connection:
        rows = (await connection.execute(statement)).mappings().all()
    # Through `regroup` too, for the same order as a memory-only answer.
    return regroup([dict(row) for row in rows], query.group_by)


async def purge(engine: AsyncEngine, before: float | None) -> int:
    """Delete the traces older than `before` (None: every trace); the ledger stays."""
    statement = delete(traces) if before is None else delete(traces).where(traces.c.time < before)
    async with engine.begin() as connection:
        return int((await connection.execute(statement)).rowcount)


def conditions(query: TraceQuery) -> list[ColumnElement[bool]]:
    column = traces.c
    found: list[Any] = [
        query.model is None or or_(column.model == query.model, column.upstream_model == query.model),
        query.provider is None or column.provider == query.provider,
        query.account is None or column.account == query.account,
        query.key is None or column.key == query.key,
        query.since is None or column.time >= query.since,
        query.until is None or column.time < query.until,
        query.q is None or func.lower(column.record).contains(query.q.lower(), autoescape=True),
        _status(query.status),
    ]
    after = query.after
    if after is not None:
        moment, trace_id = after
        found.append(or_(column.time < moment, and_(column.time == moment, column.id < trace_id)))
    return _sql(found)


def _status(status: int | str | None) -> Any:
    if status is None:
        return True
    if status in ("ok", "error"):
        return traces.c.failed.is_(status == "error")
    return traces.c.status == status


def _sql(conditions: list[Any]) -> list[ColumnElement[bool]]:
    """The conditions that are SQL (a `True` is one that does not narrow)."""
    return [condition for condition in conditions if condition is not True] or [true()]

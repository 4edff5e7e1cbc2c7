"""Batches and their requests in the database (SQLAlchemy Core).

Every change of a request's state is one UPDATE guarded by the state it leaves, so two
processes never both claim, finish or cancel the same request.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from dragoman.batches.wire import EXPIRES_SECONDS, Batch, new_id
from dragoman.store.durable import durable
from dragoman.store.tables import message_batch_requests as requests
from dragoman.store.tables import message_batches as batches

PENDING = ("queued", "running")


@dataclass(frozen=True, slots=True)
class Claimed:
    """A request this process claimed: it is now its to answer."""

    batch_id: str
    custom_id: str
    key: str
    params: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Page:
    batches: list[Batch]
    has_more: bool


class BatchStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    @durable
    async def create(self, key: str, items: Sequence[tuple[str, dict[str, Any]]]) -> Batch:
        now = time.time()
        batch_id = new_id()
        rows = [
            {"batch_id": batch_id, "custom_id": custom_id, "position": position, "queued_at": now}
            | {"params": params, "state": "queued"}
            for position, (custom_id, params) in enumerate(items)
        ]
        async with self._engine.begin() as connection:
            values = {"id": batch_id, "key": key, "created_at": now, "expires_at": now + EXPIRES_SECONDS}
            await connection.execute(insert(batches).values(values))
            await connection.execute(insert(requests), rows)
        return Batch(batch_id, key, now, now + EXPIRES_SECONDS, None, None, {"queued": len(rows)})

    async def get(self, batch_id: str, key: str | None = None) -> Batch | None:
        """The batch; with `key`, only if that key made it."""
        async with self._engine.connect() as connection:
            found = await _batches(connection, _owned(batches.c.id == batch_id, key))
        return found[0] if found else None

    async def page(self, key: str | None, limit: int, after: str | None, before: str | None) -> Page:
        """Newest first; `after`/`before`: the ids the page follows or precedes."""
        async with self._engine.connect() as connection:
            where = _owned(batches.c.seq > -1, key)
            if after is not None:
                where = where & (batches.c.seq < _seq_of(after))
            if before is not None:
                where = where & (batches.c.seq > _seq_of(before))
            order = batches.c.seq.asc() if before is not None and after is None else batches.c.seq.desc()
            found = await _batches(connection, where, order, limit + 1)
        if before is not None and after is None:
            found.reverse()
            return Page(found[-limit:], len(found) > limit)
        return Page(found[:limit], len(found) > limit)

    @durable
    async def cancel(self, batch_id: str, key: str | None) -> Batch | None:
        """Its queued requests canceled; those running end as they will."""
        async with self._engine.begin() as connection:
            where = _owned(batches.c.id == batch_id, key) & batches.c.ended_at.is_(None)
            query = update(batches).where(where, batches.c.cancel_initiated_at.is_(None))
            await connection.execute(query.values(cancel_initiated_at=time.time()))
            owned = await _batches(connection, _owned(batches.c.id == batch_id, key))
            if owned and owned[0].ended_at is None:
                await _set_state(connection, batch_id, "queued", "canceled", {"type": "canceled"})
                await _end_if_done(connection, batch_id)
        return await self.get(batch_id, key)

    @durable
    async def delete(self, batch_id: str) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(delete(requests).where(requests.c.batch_id == batch_id))
            await connection.execute(delete(batches).where(batches.c.id == batch_id))

    async def results(self, batch_id: str) -> list[tuple[str, dict[str, Any]]]:
        """Each request's (custom_id, result), in the batch's order."""
        query = select(requests.c.custom_id, requests.c.result).where(requests.c.batch_id == batch_id)
        async with self._engine.connect() as connection:
            rows = await connection.execute(query.order_by(requests.c.position))
            return [(row.custom_id, row.result) for row in rows]

    async def pending(self) -> bool:
        """Whether any request is queued or running (one indexed read: the idle poll)."""
        query = select(requests.c.state).where(requests.c.state.in_(PENDING)).limit(1)
        async with self._engine.connect() as connection:
            return (await connection.execute(query)).first() is not None

    async def claim(self, owner: str) -> Claimed | None:
        """The next queued request, now `running` and this owner's; None: none queued."""
        await self.expire()
        while True:
            async with self._engine.begin() as connection:
                found = await _next_queued(connection)
                if found is None:
                    return None
                guard = (requests.c.batch_id == found.batch_id) & (requests.c.custom_id == found.custom_id)
                query = update(requests).where(guard, requests.c.state == "queued")
                claimed = query.values(state="running", claimed_by=owner, claimed_at=time.time())
                if (await connection.execute(claimed)).rowcount == 1:
                    return found

    @durable
    async def finish(self, batch_id: str, custom_id: str, state: str, result: dict[str, Any]) -> None:
        """The claimed request's result; the batch ends with its last request."""
        async with self._engine.begin() as connection:
            guard = (requests.c.batch_id == batch_id) & (requests.c.custom_id == custom_id)
            query = update(requests).where(guard, requests.c.state == "running")
            await connection.execute(query.values(state=state, result=result, finished_at=time.time()))
            await _end_if_done(connection, batch_id)

    async def running(self) -> list[tuple[str, str, str | None]]:
        """(batch id, custom_id, claimed by) of every request running now."""
        query = select(requests.c.batch_id, requests.c.custom_id, requests.c.claimed_by)
        async with self._engine.connect() as connection:
            rows = await connection.execute(query.where(requests.c.state == "running"))
            return [(row.batch_id, row.custom_id, row.claimed_by) for row in rows]

    async def expire(self) -> None:
        """Requests still queued when their batch expires: `expired`, as Anthropic's."""
        async with self._engine.begin() as connection:
            late = select(batches.c.id).where(batches.c.ended_at.is_(None))
            late = late.where(batches.c.expires_at < time.time())
            for batch_id in (await connection.execute(late)).scalars().all():
                await _set_state(connection, batch_id, "queued", "expired", {"type": "expired"})
                await _end_if_done(connection, batch_id)


def _owned(where: Any, key: str | None) -> Any:
    return where if key is None else where & (batches.c.key == key)


def _seq_of(batch_id: str) -> Any:
    return select(batches.c.seq).where(batches.c.id == batch_id).scalar_subquery()


async def _batches(connection: AsyncConnection, where: Any, order: Any = None, limit: int = 1) -> list[Batch]:
    query = select(batches).where(where)
    if order is not None:
        query = query.order_by(order)
    rows = (await connection.execute(query.limit(limit))).mappings().all()
    counts = await _counts(connection, [row["id"] for row in rows])
    return [
        Batch(
            row["id"],
            row["key"],
            row["created_at"],
            row["expires_at"],
            row["cancel_initiated_at"],
            row["ended_at"],
            counts.get(row["id"], {}),
        )
        for row in rows
    ]


async def _counts(connection: AsyncConnection, ids: list[str]) -> dict[str, dict[str, int]]:
    if not ids:
        return {}
    query = select(requests.c.batch_id, requests.c.state, func.count())
    query = query.where(requests.c.batch_id.in_(ids)).group_by(requests.c.batch_id, requests.c.state)
    counts: dict[str, dict[str, int]] = {}
    for batch_id, state, count in await connection.execute(query):
        counts.setdefault(batch_id, {})[state] = count
    return counts


async def _next_queued(connection: AsyncConnection) -> Claimed | None:
    query = (
        select(requests.c.batch_id, requests.c.custom_id, requests.c.params, batches.c.key)
        .join(batches, batches.c.id == requests.c.batch_id)
        .where(requests.c.state == "queued")
        .order_by(requests.c.queued_at, requests.c.batch_id, requests.c.position)
        .limit(1)
    )
    row = (await connection.execute(query)).first()
    return Claimed(row.batch_id, row.custom_id, row.key, row.params) if row is not None else None


async def _set_state(
    connection: AsyncConnection, batch_id: str, old: str, new: str, result: dict[str, Any]
) -> None:
    guard = (requests.c.batch_id == batch_id) & (requests.c.state == old)
    query = update(requests).where(guard).values(state=new, result=result, finished_at=time.time())
    await connection.execute(query)


async def _end_if_done(connection: AsyncConnection, batch_id: str) -> None:
    pending = select(func.count()).where(requests.c.batch_id == batch_id, requests.c.state.in_(PENDING))
    if (await connection.execute(pending)).scalar_one():
        return
    query = update(batches).where(batches.c.id == batch_id, batches.c.ended_at.is_(None))
    await connection.execute(query.values(ended_at=time.time()))

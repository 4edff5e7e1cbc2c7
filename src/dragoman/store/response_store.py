"""The `responses` table read and written through SQLAlchemy Core (see `tables.responses`
for what a row means). Opened on first use, like the traces' store: a gateway that
never stores a response never loads SQLAlchemy for it."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from dragoman.config.schema import DatabaseConfig
from dragoman.store.db import Database, UnusableDatabase, open_database
from dragoman.store.stored_response import StoredResponse
from dragoman.store.tables import responses

OPEN_RETRY_SECONDS = 0.5


class ResponseStore:
    def __init__(self, url: str, options: DatabaseConfig | None = None) -> None:
        self.url = url
        self.options = options
        self._database: Database | None = None
        self._opening = asyncio.Lock()

    async def engine(self) -> AsyncEngine:
        async with self._opening:
            if self._database is None:
                self._database = await _opened(self.url, self.options)
        return self._database.engine

    async def write(self, stored: list[StoredResponse]) -> None:
        """Insert these, replacing any row of the same id (a background run, done)."""
        engine = await self.engine()
        async with engine.begin() as connection:
            ids = [one.id for one in stored]
            await connection.execute(delete(responses).where(responses.c.id.in_(ids)))
            await connection.execute(insert(responses), [_row(one) for one in stored])

    async def get(self, response_id: str) -> StoredResponse | None:
        engine = await self.engine()
        async with engine.connect() as connection:
            query = select(responses).where(responses.c.id == response_id)
            row = (await connection.execute(query)).mappings().first()
        return _stored(row) if row is not None else None

    async def delete(self, response_id: str) -> bool:
        engine = await self.engine()
        async with engine.begin() as connection:
            result = await connection.execute(delete(responses).where(responses.c.id == response_id))
        return bool(result.rowcount)

    async def retain(self, before: float) -> int:
        """Delete the responses made before `before` (epoch seconds)."""
        engine = await self.engine()
        async with engine.begin() as connection:
            result = await connection.execute(delete(responses).where(responses.c.created_at < before))
        return int(result.rowcount or 0)

    async def close(self) -> None:
        if self._database is not None:
            await self._database.close()
            self._database = None


async def _opened(url: str, options: DatabaseConfig | None) -> Database:
    """The database, opened (and migrated) by whoever is first: another process
    migrating it at the same moment makes the first try fail."""
    try:
        return await open_database(url, options=options)
    except UnusableDatabase:
        await asyncio.sleep(OPEN_RETRY_SECONDS)
        return await open_database(url, options=options)


def _row(stored: StoredResponse) -> dict[str, Any]:
    return {
        "id": stored.id,
        "created_at": stored.created_at,
        "key": stored.key,
        "account": stored.account,
        "kept": stored.kept,
        "previous_response_id": stored.previous_response_id,
        "response": orjson.dumps(stored.response).decode(),
        "input": orjson.dumps(stored.input).decode(),
    }


def _stored(row: Any) -> StoredResponse:
    return StoredResponse(
        id=row["id"],
        created_at=row["created_at"],
        key=row["key"],
        account=row["account"],
        kept=bool(row["kept"]),
        previous_response_id=row["previous_response_id"],
        response=orjson.loads(row["response"]),
        input=orjson.loads(row["input"]),
    )

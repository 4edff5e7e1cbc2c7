"""The `account_policies` table read and written through SQLAlchemy Core (see
`policies` for what a row means)."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from dragoman.store.durable import durable
from dragoman.store.policies import PolicyOverride, override_values, overrides_from_rows
from dragoman.store.tables import account_policies


class PolicyStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def all(self) -> dict[str, PolicyOverride]:
        """Every override, by label."""
        async with self._engine.connect() as connection:
            rows = (await connection.execute(select(account_policies))).mappings()
            return overrides_from_rows(rows)

    @durable  # an admin change asked for is kept even if its caller leaves
    async def change(self, label: str, changes: Mapping[str, Any]) -> PolicyOverride:
        """Apply `changes` to the label's override (made if it has none); the result."""
        table = account_policies
        async with self._engine.begin() as connection:
            row = (await connection.execute(select(table).where(table.c.label == label))).mappings().first()
            held = overrides_from_rows([row])[label] if row is not None else PolicyOverride(label)
            new = held.changed(changes, time.time())
            values = override_values(new)
            if row is None:
                await connection.execute(insert(table).values(values))
            else:
                await connection.execute(update(table).where(table.c.label == label).values(values))
        return new

    @durable
    async def forget(self, label: str) -> None:
        """Drop the label's override (its account was removed)."""
        async with self._engine.begin() as connection:
            await connection.execute(delete(account_policies).where(account_policies.c.label == label))

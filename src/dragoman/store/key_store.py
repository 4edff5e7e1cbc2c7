"""The `local_keys` table read and written through SQLAlchemy Core (see `local_keys`
for what a row means). Each change is one transaction: a key is whole or absent."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from dragoman.store.durable import durable
from dragoman.store.local_keys import StoredKey, key_values, keys_from_rows, new_secret
from dragoman.store.tables import local_keys


class KeyStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def all(self) -> list[StoredKey]:
        """Every key, the revoked too, by name."""
        async with self._engine.connect() as connection:
            rows = (await connection.execute(select(local_keys).order_by(local_keys.c.name))).mappings()
            return keys_from_rows(rows)

    async def one(self, name: str) -> StoredKey | None:
        async with self._engine.connect() as connection:
            query = select(local_keys).where(local_keys.c.name == name)
            row = (await connection.execute(query)).mappings().first()
            return keys_from_rows([row])[0] if row is not None else None

    @durable
    async def create(
        self, name: str, options: Mapping[str, Any], expires_at: float | None
    ) -> tuple[StoredKey, str] | None:
        """A new key and its secret; None when a key (not revoked) has the name. A
        revoked key's name is taken over, its row replaced."""
        secret, hexdigest, prefix = new_secret()
        now = time.time()
        key = StoredKey(name, hexdigest, prefix, dict(options), now, expires_at, None, now)
        async with self._engine.begin() as connection:
            query = select(local_keys.c.revoked_at).where(local_keys.c.name == name)
            held = (await connection.execute(query)).first()
            if held is not None and held[0] is None:
                return None
            await connection.execute(delete(local_keys).where(local_keys.c.name == name))
            await connection.execute(insert(local_keys).values(key_values(key)))
        return key, secret

    @durable
    async def update(
        self, name: str, options: Mapping[str, Any], expires_at: float | None
    ) -> StoredKey | None:
        """The key with these options and expiry; None when no such key is in use."""
        return await self._change(name, options=dict(options), expires_at=expires_at)

    @durable
    async def revoke(self, name: str) -> StoredKey | None:
        return await self._change(name, revoked_at=time.time())

    @durable
    async def rotate(self, name: str) -> tuple[StoredKey, str] | None:
        """The key with a new secret (the old one refused from now on), and the secret."""
        secret, hexdigest, prefix = new_secret()
        changed = await self._change(name, digest=hexdigest, prefix=prefix)
        return (changed, secret) if changed is not None else None

    async def _change(self, name: str, **values: Any) -> StoredKey | None:
        table = local_keys
        async with self._engine.begin() as connection:
            query = select(table).where(table.c.name == name, table.c.revoked_at.is_(None))
            row = (await connection.execute(query)).mappings().first()
            if row is None:
                return None
            key = replace(keys_from_rows([row])[0], **values, updated_at=time.time())
            await connection.execute(update(table).where(table.c.name == name).values(key_values(key)))
        return key

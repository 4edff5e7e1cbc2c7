"""Writing accounts rows with their secrets sealed, and sealing them anew.

A secret is sealed for its row's id, which an INSERT only learns: a new row is inserted
with its secret columns empty, then given them sealed, in the same transaction. Every
seal happens after the transaction took the right to write (SQLite's write lock, a row
lock elsewhere), so a key rotation, which takes the same right first, sees every row a
writer sealed with the old key, and no writer seals with a key a finished rotation
dropped (the keyring reads its file again before each seal).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from dragoman.store.keyring import Keyring
from dragoman.store.sealing import SEALED, holds_plaintext, opened_columns, sealed_columns
from dragoman.store.tables import accounts, schema_version

_EMPTY: dict[str, Any] = {name: None for name in SEALED} | {"extra": {}}


async def insert_sealed(connection: AsyncConnection, keys: Keyring, values: Mapping[str, Any]) -> int:
    """Insert a row of `values` (secrets in clear); its new id."""
    result = await connection.execute(insert(accounts).values({**values, **_EMPTY}))
    [new_id] = result.inserted_primary_key or (0,)
    await update_sealed(connection, keys, int(new_id), values)
    return int(new_id)


async def update_sealed(
    connection: AsyncConnection, keys: Keyring, account_id: int, values: Mapping[str, Any]
) -> None:
    """Change row `account_id` to `values` (secrets in clear, sealed here)."""
    sealed = {**values, **sealed_columns(keys, account_id, values)}
    await connection.execute(update(accounts).where(accounts.c.id == account_id).values(sealed))


async def claim_all(connection: AsyncConnection) -> None:
    """Take the right to write every row, and to add one, before reading them (see
    `auth.store._claim`). On SQLite, a write to the one row `schema_version` always has
    takes the database's write lock even when `accounts` is empty."""
    if connection.dialect.name == "postgresql":
        await connection.execute(text("LOCK TABLE accounts IN SHARE ROW EXCLUSIVE MODE"))
    else:
        await connection.execute(update(schema_version).values(version=schema_version.c.version))


async def seal_plaintext(connection: AsyncConnection, keys: Keyring) -> int:
    """Seal the secrets a dragoman from before sealing left in clear; how many rows.
    Reads first without the write lock: nearly always there is nothing to seal."""
    if not any(holds_plaintext(row) for row in await _rows(connection)):
        return 0
    await claim_all(connection)
    if connection.dialect.name == "sqlite":
        # The clear text is overwritten with zeros, not left in the page's free space.
        await connection.execute(text("PRAGMA secure_delete=ON"))
    plain = [row for row in await _rows(connection) if holds_plaintext(row)]
    for row in plain:
        await update_sealed(connection, keys, row["id"], opened_columns(keys, row))
    return len(plain)


async def reseal_all(connection: AsyncConnection, keys: Keyring) -> int:
    """Seal every row's secrets anew with the keyring's sealing key; how many rows."""
    await claim_all(connection)
    rows = await _rows(connection)
    for row in rows:
        await update_sealed(connection, keys, row["id"], opened_columns(keys, row))
    return len(rows)


async def open_all(connection: AsyncConnection, keys: Keyring) -> None:
    """Open every row's secrets: SecretKeyError for the first that no key held opens."""
    for row in await _rows(connection):
        opened_columns(keys, row)


async def _rows(connection: AsyncConnection) -> list[Mapping[Any, Any]]:
    columns = [accounts.c.id, accounts.c.label, *(accounts.c[name] for name in SEALED)]
    return list((await connection.execute(select(*columns).order_by(accounts.c.id))).mappings())

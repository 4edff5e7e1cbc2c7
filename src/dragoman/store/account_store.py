"""The accounts table read and written through SQLAlchemy Core (see `accounts` for the
rows' meaning), secrets sealed with the database's keyring (`sealed_rows`)."""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import replace
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from dragoman.store.accounts import (
    Account,
    AccountError,
    account_from_row,
    account_values,
    check_label,
    free_label,
)
from dragoman.store.durable import durable
from dragoman.store.keyring import Keyring, SecretKeyError
from dragoman.store.sealed_rows import insert_sealed
from dragoman.store.tables import accounts


class AccountStore:
    """Reads and writes the `accounts` table through SQLAlchemy Core."""

    def __init__(self, engine: AsyncEngine, keys: Keyring) -> None:
        self._engine = engine
        self.keys = keys

    @property
    def engine(self) -> AsyncEngine:
        """The database's engine, for the tables kept beside this one."""
        return self._engine

    @durable  # a key being stored is kept even if the command that asked is cancelled
    async def add(self, account: Account, reserved: Collection[str] = ()) -> Account:
        """Store a new account; returns it as stored. `reserved` are names already used
        elsewhere (configured providers), refused as labels and skipped by the default."""
        async with self._engine.begin() as connection:
            taken = set((await connection.execute(select(accounts.c.label))).scalars()) | set(reserved)
            label = check_label(account.label) if account.label else free_label(account.provider, taken)
            if label in taken:
                raise AccountError(f"the name {label!r} is already taken: choose another --label")
            stored = replace(account, label=label, id=0, created_at=time.time())
            try:
                new_id = await insert_sealed(connection, self.keys, account_values(stored))
            except IntegrityError:
                raise AccountError(f"the name {label!r} is already taken: choose another --label") from None
        return replace(stored, id=new_id)

    async def list(self) -> list[Account]:
        """Every account, oldest first."""
        async with self._engine.connect() as connection:
            rows = (await connection.execute(select(accounts).order_by(accounts.c.id))).mappings()
            return [account_from_row(row, self.keys) for row in rows]

    async def get(self, key: str | int) -> Account | None:
        """The account with this id (an int, or a string of digits) or this label."""
        async with self._engine.connect() as connection:
            row = (await connection.execute(select(accounts).where(_match(key)))).mappings().first()
        return account_from_row(row, self.keys) if row is not None else None

    @durable
    async def remove(self, key: str | int) -> Account | None:
        """Delete the account with this id or label; returns it (without its secrets when no
        key opens them: a lost key must not keep an account from going), or None."""
        async with self._engine.begin() as connection:
            row = (await connection.execute(select(accounts).where(_match(key)))).mappings().first()
            if row is None:
                return None
            await connection.execute(delete(accounts).where(accounts.c.id == row["id"]))
        try:
            return account_from_row(row, self.keys)
        except SecretKeyError:
            return account_from_row(row, None)


def _match(key: str | int) -> Any:
    if isinstance(key, int) or key.isdigit():
        return accounts.c.id == int(key)
    return accounts.c.label == key

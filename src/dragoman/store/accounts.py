"""Upstream accounts kept in the database: API keys, and subscription logins (OAuth) whose
token columns `dragoman.auth.store` writes.

An account's `label` is its upstream name, unique across accounts: clients write
`label/model` to choose it. Secrets (`api_key`, tokens, `extra`) never appear in a repr.
"""

from __future__ import annotations

import re
import time
from collections.abc import Collection
from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from dragoman.store.tables import accounts

AuthKind = Literal["api_key", "oauth"]

# A label is a model-name prefix and a URL path segment: no slash, no space, and
# never all digits, so `remove 3` can only mean the account whose id is 3.
_LABEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


class AccountError(ValueError):
    """An account that cannot be stored as asked (bad or duplicate label)."""


@dataclass(frozen=True, slots=True)
class Account:
    """One stored account. Build one with `provider` and what you know, then `add` it:
    the store assigns `id`, `created_at`, and a `label` when it is empty."""

    provider: str
    label: str = ""
    auth: AuthKind = "api_key"
    api_key: str | None = field(default=None, repr=False)
    api_key_env: str | None = None
    base_url: str | None = None
    dialect: str | None = None
    models: tuple[str, ...] = ()
    access_token: str | None = field(default=None, repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    expires_at: float | None = None
    account_id: str | None = None
    email: str | None = None
    plan: str | None = None
    scopes: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict, repr=False)
    id: int = 0
    created_at: float = 0.0
    refreshed_at: float | None = None


_COLUMNS = [item.name for item in fields(Account)]


def check_label(label: str) -> str:
    """`label` if it can name an upstream; AccountError saying why not otherwise."""
    if not _LABEL.fullmatch(label) or label.isdigit():
        raise AccountError(
            f"label {label!r} cannot name an upstream: use letters, digits, '.', '_' or '-' "
            "(starting with a letter or digit, not only digits)"
        )
    return label


class AccountStore:
    """Reads and writes the `accounts` table through SQLAlchemy Core."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def add(self, account: Account, reserved: Collection[str] = ()) -> Account:
        """Store a new account; returns it as stored. `reserved` are names already used
        elsewhere (configured providers), refused as labels and skipped by the default."""
        async with self._engine.begin() as connection:
            taken = set((await connection.execute(select(accounts.c.label))).scalars()) | set(reserved)
            label = check_label(account.label) if account.label else free_label(account.provider, taken)
            if label in taken:
                raise AccountError(f"the name {label!r} is already taken: choose another --label")
            stored = replace(account, label=label, id=0, created_at=time.time())
            values = account_values(stored)
            try:
                result = await connection.execute(insert(accounts).values(values))
            except IntegrityError:
                raise AccountError(f"the name {label!r} is already taken: choose another --label") from None
        [new_id] = result.inserted_primary_key or (0,)
        return replace(stored, id=int(new_id))

    async def list(self) -> list[Account]:
        """Every account, oldest first."""
        async with self._engine.connect() as connection:
            rows = (await connection.execute(select(accounts).order_by(accounts.c.id))).mappings()
            return [account_from_row(row) for row in rows]

    async def get(self, key: str | int) -> Account | None:
        """The account with this id (an int, or a string of digits) or this label."""
        async with self._engine.connect() as connection:
            row = (await connection.execute(select(accounts).where(_match(key)))).mappings().first()
        return account_from_row(row) if row is not None else None

    async def remove(self, key: str | int) -> Account | None:
        """Delete the account with this id or label; returns it, or None if there was none."""
        async with self._engine.begin() as connection:
            row = (await connection.execute(select(accounts).where(_match(key)))).mappings().first()
            if row is None:
                return None
            await connection.execute(delete(accounts).where(accounts.c.id == row["id"]))
        return account_from_row(row)


def _match(key: str | int) -> Any:
    if isinstance(key, int) or key.isdigit():
        return accounts.c.id == int(key)
    return accounts.c.label == key


def free_label(provider: str, taken: Collection[str]) -> str:
    """`provider`, else `provider-2`, `provider-3`, ...: the first name nobody uses."""
    label, number = provider, 1
    while label in taken:
        number += 1
        label = f"{provider}-{number}"
    return check_label(label)


def account_values(account: Account) -> dict[str, Any]:
    values = {name: getattr(account, name) for name in _COLUMNS if name != "id"}
    values["models"] = list(account.models)
    values["scopes"] = list(account.scopes)
    return values


def account_from_row(row: RowMapping) -> Account:
    values = {name: row[name] for name in _COLUMNS}
    values["models"] = tuple(row["models"] or ())
    values["scopes"] = tuple(row["scopes"] or ())
    values["extra"] = dict(row["extra"] or {})
    return Account(**values)

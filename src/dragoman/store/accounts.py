"""Upstream accounts kept in the database: API keys, and subscription logins (OAuth) whose
token columns `dragoman.auth.store` writes.

An account's `label` is its upstream name, unique across accounts: clients write
`label/model` to choose it. Secrets (`api_key`, tokens, `extra`) never appear in a repr.

This module is what the gateway needs of an account, and never imports SQLAlchemy: the
queries are in `dragoman.store.account_store`, loaded once there is a database to read.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, Literal, Protocol

from dragoman.store.sealing import opened_columns

if TYPE_CHECKING:
    from sqlalchemy.engine import RowMapping

    from dragoman.store.keyring import Keyring

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


class AccountReader(Protocol):
    """Where the accounts are read from (`AccountStore`, or `AccountSource` before it)."""

    async def list(self) -> list[Account]:
        """Every account, oldest first."""
        ...


def check_label(label: str) -> str:
    """`label` if it can name an upstream; AccountError saying why not otherwise."""
    if not _LABEL.fullmatch(label) or label.isdigit():
        raise AccountError(
            f"label {label!r} cannot name an upstream: use letters, digits, '.', '_' or '-' "
            "(starting with a letter or digit, not only digits)"
        )
    return label


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


def account_from_row(row: RowMapping, keys: Keyring | None) -> Account:
    """The account a row holds, its secrets opened with `keys` (without: left out)."""
    values = {name: row[name] for name in _COLUMNS}
    values.update(opened_columns(keys, row))
    values["models"] = tuple(row["models"] or ())
    values["scopes"] = tuple(row["scopes"] or ())
    return Account(**values)

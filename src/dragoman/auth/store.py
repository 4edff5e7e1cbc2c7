"""Subscription credentials on the accounts table.

Each write is one transaction: a login's row (new, or the same account's tokens
replaced), a refresh's tokens with its bookkeeping, a merge into `extra`. A process
killed mid-write leaves the previous credential whole (SQLite rolls the open
transaction back); a caller cancelled mid-write (a client that left) does not stop it
(`durable`). A row being changed is claimed before it is read, so two writers (two
gateway workers) never merge into `extra` from the same stale copy. Every token read
or written is registered for masking first, and sealed in the database with the
keyring's key (`dragoman.store.sealing`): a row's secrets are decrypted as it is read,
and the gateway keeps what it read (`auth.refresh.TokenKeeper`), so a request decrypts
nothing.
"""

from __future__ import annotations

import re
import time
from collections.abc import Collection
from dataclasses import replace
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from dragoman.auth.rows import FAILURES, FENCE, TOKEN_COLUMNS, AccountGone, StaleFence, fence_of, remember
from dragoman.observe import redact
from dragoman.store.accounts import Account, AccountError, account_from_row, account_values, check_label
from dragoman.store.durable import durable
from dragoman.store.keyring import Keyring, SecretKeyError
from dragoman.store.sealed_rows import insert_sealed, update_sealed
from dragoman.store.tables import accounts

_NOT_IN_LABELS = re.compile(r"[^A-Za-z0-9._-]+")
_SECRETS = ("api_key", "access_token", "refresh_token")


class CredentialStore:
    def __init__(self, engine: AsyncEngine, keys: Keyring) -> None:
        self.engine = engine
        self.keys = keys

    async def get(self, account_id: int) -> Account | None:
        async with self.engine.connect() as connection:
            found = await _read(connection, self.keys, account_id)
        return remember(found) if found is not None else None

    async def logins(self, provider: str | None = None) -> list[Account]:
        """The subscription accounts (of one provider), oldest first."""
        query = select(accounts).where(accounts.c.auth == "oauth").order_by(accounts.c.id)
        if provider is not None:
            query = query.where(accounts.c.provider == provider)
        async with self.engine.connect() as connection:
            rows = (await connection.execute(query)).mappings()
            return [remember(account_from_row(row, self.keys)) for row in rows]

    @durable
    async def save_login(self, draft: Account, reserved: Collection[str] = ()) -> tuple[Account, bool]:
        """Store a login: the same account's row gets the new tokens (its label kept),
        another account gets a row of its own. Returns (account, whether it is new).
        `refreshed_at` is the draft's: a login's token answer, an imported file's own
        date, or None when the file does not say (not the time of the import)."""
        remember(draft)
        now = time.time()
        async with self.engine.begin() as connection:
            rows = (await connection.execute(select(accounts))).mappings().all()
            # Who they are is in clear: another row's secrets are not needed (nor its key).
            existing = [account_from_row(row, None) for row in rows]
            same = next((old for old in existing if _same_login(old, draft)), None)
            if same is not None:
                return await _renew_login(connection, self.keys, same.id, draft), False
            label = _label(draft, {old.label for old in existing} | set(reserved))
            stored = replace(draft, auth="oauth", label=label, id=0, created_at=now)
            new_id = await insert_sealed(connection, self.keys, account_values(stored))
        return replace(stored, id=new_id), True

    @durable
    async def save_tokens(
        self, account_id: int, facts: dict[str, Any], extra: dict[str, Any], fence: int | None = None
    ) -> Account:
        """A refresh's outcome: new tokens (an unsent refresh token keeps the old one),
        `refreshed_at`, and `extra` merged in, all or nothing. With the refresh lock's
        `fence`: StaleFence, and nothing written, if the row was written with a newer one."""
        values: dict[str, Any] = {name: facts[name] for name in TOKEN_COLUMNS if name in facts}
        if "scopes" in values:
            values["scopes"] = list(values["scopes"])
        values["refreshed_at"] = time.time()
        redact.register(str(facts[name]) for name in ("access_token", "refresh_token") if facts.get(name))
        extra = {**{name: value for name, value in facts.items() if name not in TOKEN_COLUMNS}, **extra}
        return await self._write(account_id, values, extra, drop=FAILURES, fence=fence)

    @durable
    async def merge_extra(
        self,
        account_id: int,
        extra: dict[str, Any],
        drop: Collection[str] = (),
        values: dict[str, Any] | None = None,
    ) -> Account:
        """`extra` merged into the row's (`drop` left out), with column `values` (a plan)."""
        return await self._write(account_id, values or {}, extra, drop)

    async def _write(
        self,
        account_id: int,
        values: dict[str, Any],
        extra: dict[str, Any],
        drop: Collection[str] = (),
        fence: int | None = None,
    ) -> Account:
        async with self.engine.begin() as connection:
            current = await _claim(connection, self.keys, account_id)
            if fence is not None:
                # Checked on the claimed row: a concurrent writer waits for this one.
                if fence < fence_of(current):
                    raise StaleFence(f"account {account_id}: fence {fence} < {fence_of(current)}")
                extra = {**extra, FENCE: fence}
            merged = {key: value for key, value in {**current.extra, **extra}.items() if key not in drop}
            await update_sealed(connection, self.keys, account_id, {**values, "extra": merged})
            return remember(await _must_read(connection, self.keys, account_id))


async def _renew_login(
    connection: AsyncConnection, keys: Keyring, account_id: int, draft: Account
) -> Account:
    """The same account logged in again: its row gets the draft's tokens and facts. A row
    whose secrets no key opens (a lost key) is renewed too: what it kept is dropped."""
    try:
        same = await _claim(connection, keys, account_id)
    except SecretKeyError:
        same = await _claim(connection, None, account_id)
    known = {name: getattr(draft, name) for name in TOKEN_COLUMNS if getattr(draft, name)}
    values = {**known, "expires_at": draft.expires_at, "scopes": list(draft.scopes or same.scopes)}
    # Every secret column written anew: one left sealed with a lost key would stay unreadable.
    values.update({name: getattr(draft, name) or getattr(same, name) for name in _SECRETS})
    extra = {k: v for k, v in {**same.extra, **draft.extra}.items() if k not in FAILURES}
    values.update(refreshed_at=draft.refreshed_at, extra=extra)
    await update_sealed(connection, keys, account_id, values)
    return await _must_read(connection, keys, account_id)


async def _claim(connection: AsyncConnection, keys: Keyring | None, account_id: int) -> Account:
    """The row, read after this transaction took the right to write it: an UPDATE that
    changes nothing takes SQLite's write lock (a row lock elsewhere) before the read,
    so another writer waits for this one and then reads what it wrote. (SQLite's driver
    opens no transaction for a lone SELECT: a read first would be a stale copy.)"""
    claim = update(accounts).where(accounts.c.id == account_id).values(id=accounts.c.id)
    await connection.execute(claim)
    return await _must_read(connection, keys, account_id)


async def _read(connection: AsyncConnection, keys: Keyring | None, account_id: int) -> Account | None:
    row = (await connection.execute(select(accounts).where(accounts.c.id == account_id))).mappings().first()
    return account_from_row(row, keys) if row is not None else None


async def _must_read(connection: AsyncConnection, keys: Keyring | None, account_id: int) -> Account:
    found = await _read(connection, keys, account_id)
    if found is None:
        raise AccountGone(f"account {account_id} no longer exists")
    return found


def _same_login(old: Account, draft: Account) -> bool:
    """The same person's account at the same provider: by account id, else by email."""
    if old.auth != "oauth" or old.provider != draft.provider:
        return False
    if old.account_id and draft.account_id:
        return old.account_id == draft.account_id
    return bool(old.email and draft.email and old.email.lower() == draft.email.lower())


def _label(draft: Account, taken: set[str]) -> str:
    """The draft's own label, else `<provider>-<email name or account id>`, made unique."""
    if draft.label:
        label = check_label(draft.label)
        if label in taken:
            raise AccountError(f"the name {label!r} is already taken: choose another --label")
        return label
    who = (draft.email or "").partition("@")[0] or (draft.account_id or "")[:12]
    base = f"{draft.provider}-{_NOT_IN_LABELS.sub('-', who).strip('-._')}" if who else draft.provider
    base = check_label(base[:100].rstrip("-._") or draft.provider)
    label, number = base, 1
    while label in taken:
        number += 1
        label = f"{base}-{number}"
    return label

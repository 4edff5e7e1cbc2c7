"""The credential store's writes on SQLite and PostgreSQL: a login's row made or
renewed, a refresh's tokens saved, and merges into `extra` by writers at once each
kept (a row being changed is claimed before it is read)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from dragoman.auth.store import CredentialStore
from dragoman.store import Database, open_database
from dragoman.store.accounts import Account


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    database = await open_database(database_url)
    yield database
    await database.close()


def _login(token: str) -> Account:
    return Account(
        "codex",
        auth="oauth",
        access_token=f"at-{token}",
        refresh_token=f"rt-{token}",
        expires_at=2_000_000_000.0,
        account_id="acct-alice",
        email="alice@example.org",
        scopes=("openid",),
    )


async def test_a_login_is_stored_then_renewed_in_place(database: Database) -> None:
    store = CredentialStore(database.engine, database.keys)
    first, new = await store.save_login(_login("backend-0001"))
    assert new and first.label == "codex-alice" and first.id == 1
    again, new = await store.save_login(_login("backend-0002"))
    assert not new and again.id == first.id and again.access_token == "at-backend-0002"
    assert [account.id for account in await store.logins("codex")] == [first.id]


async def test_tokens_saved_and_extra_merged_by_writers_at_once(database: Database) -> None:
    store = CredentialStore(database.engine, database.keys)
    account, _ = await store.save_login(_login("backend-0003"))
    saved = await store.save_tokens(account.id, {"access_token": "at-backend-0004"}, {"quota": 5})
    assert saved.access_token == "at-backend-0004" and saved.refresh_token == "rt-backend-0003"
    assert saved.refreshed_at is not None and saved.extra == {"quota": 5}
    await asyncio.gather(*(store.merge_extra(account.id, {f"k{n}": n}) for n in range(8)))
    merged = await store.get(account.id)
    assert merged is not None and merged.extra == {"quota": 5, **{f"k{n}": n for n in range(8)}}

from __future__ import annotations

import asyncio
import stat
from collections.abc import AsyncIterator, Coroutine
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from dragoman.store import Database, open_database
from dragoman.store.account_store import AccountStore
from dragoman.store.accounts import Account, AccountError
from dragoman.store.db import prepare_home
from dragoman.store.durable import settle


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    """Each test runs on SQLite and on PostgreSQL (`tests.databases`)."""
    database = await open_database(database_url)
    yield database
    await database.close()


@pytest.fixture
def store(database: Database) -> AccountStore:
    return AccountStore(database.engine, database.keys)


async def test_an_api_key_account_round_trips(store: AccountStore) -> None:
    added = await store.add(
        Account(
            "openai_compatible",
            label="vllm",
            api_key="sk-local-000111222",
            base_url="http://h/v1",
            dialect="openai_chat",
            models=("qwen3", "llama"),
        )
    )
    assert added.id > 0 and added.created_at > 0
    [listed] = await store.list()
    assert listed == added
    assert listed.models == ("qwen3", "llama") and listed.api_key == "sk-local-000111222"
    assert await store.get("vllm") == added
    assert await store.get(added.id) == added
    assert await store.get(str(added.id)) == added


async def test_an_oauth_account_keeps_its_tokens_and_profile(store: AccountStore) -> None:
    added = await store.add(
        Account(
            "codex",
            auth="oauth",
            access_token="at-123456789",
            refresh_token="rt-987654321",
            expires_at=1_900_000_000.0,
            account_id="acct-1",
            email="me@example.com",
            plan="plus",
            scopes=("openid", "offline_access"),
            extra={"id_token": "eyJ.x.y"},
        )
    )
    stored = await store.get(added.id)
    assert stored is not None
    assert (stored.access_token, stored.refresh_token, stored.expires_at) == (
        "at-123456789",
        "rt-987654321",
        1.9e9,
    )
    assert (stored.email, stored.plan, stored.scopes, stored.extra) == (
        "me@example.com",
        "plus",
        ("openid", "offline_access"),
        {"id_token": "eyJ.x.y"},
    )


async def test_labels_default_to_the_kind_then_numbered(store: AccountStore) -> None:
    labels = [(await store.add(Account("openai", api_key="k"))).label for _ in range(3)]
    assert labels == ["openai", "openai-2", "openai-3"]
    assert (await store.add(Account("anthropic", api_key="k"), reserved={"anthropic"})).label == "anthropic-2"


async def test_a_taken_or_reserved_label_is_refused(store: AccountStore) -> None:
    await store.add(Account("openai", label="work", api_key="k"))
    with pytest.raises(AccountError, match="'work' is already taken"):
        await store.add(Account("anthropic", label="work", api_key="k"))
    with pytest.raises(AccountError, match="'mine' is already taken"):
        await store.add(Account("anthropic", label="mine", api_key="k"), reserved={"mine"})


@pytest.mark.parametrize("label", ["a/b", "with space", "123", "-lead"])
async def test_a_label_that_cannot_name_an_upstream_is_refused(store: AccountStore, label: str) -> None:
    with pytest.raises(AccountError, match="cannot name an upstream"):
        await store.add(Account("openai", label=label, api_key="k"))


async def test_remove_by_id_or_label_and_ids_are_never_reused(store: AccountStore) -> None:
    first = await store.add(Account("openai", api_key="k"))
    second = await store.add(Account("openai", api_key="k"))
    assert await store.remove(str(second.id)) == second
    assert await store.remove("openai") == first
    assert await store.remove("openai") is None and await store.list() == []
    third = await store.add(Account("openai", api_key="k"))
    assert third.id > second.id


async def test_secrets_never_reach_a_repr(store: AccountStore) -> None:
    added = await store.add(
        Account(
            "openai",
            api_key="sk-secret-key-0001",
            access_token="at-secret-0002",
            refresh_token="rt-secret-0003",
            extra={"id_token": "it-secret-0004"},
        )
    )
    shown = repr(added) + str(await store.list())
    for secret in ("sk-secret-key-0001", "at-secret-0002", "rt-secret-0003", "it-secret-0004"):
        assert secret not in shown
    assert "openai" in shown


async def test_the_database_stays_private_with_accounts_in_it(tmp_path: Path) -> None:
    prepare_home(tmp_path / "home")
    database = await open_database(f"sqlite+aiosqlite:///{tmp_path / 'home' / 'dragoman.db'}")
    try:
        await AccountStore(database.engine, database.keys).add(
            Account("openai", api_key="sk-secret-key-0001")
        )
    finally:
        await database.close()
    files = list((tmp_path / "home").iterdir())
    assert files
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


async def _cancel_inside_the_write(
    database: Database, monkeypatch: pytest.MonkeyPatch, work: Coroutine[Any, Any, Any]
) -> None:
    """Run `work`, and cancel it once its INSERT or DELETE has run, before the commit."""
    inside = asyncio.Event()
    real = AsyncConnection.execute

    async def stalling(self: AsyncConnection, statement: Any, *args: Any, **kwargs: Any) -> Any:
        result = await real(self, statement, *args, **kwargs)
        if getattr(statement, "is_insert", False) or getattr(statement, "is_delete", False):
            inside.set()
            await asyncio.sleep(0.2)
        return result

    monkeypatch.setattr(AsyncConnection, "execute", stalling)
    caller = asyncio.ensure_future(work)
    await asyncio.wait_for(inside.wait(), 10)
    caller.cancel()
    with pytest.raises(asyncio.CancelledError):
        await caller
    await settle()
    monkeypatch.undo()


async def test_an_add_or_remove_whose_caller_is_cancelled_still_completes(
    database: Database, store: AccountStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = Account("openai_compatible", label="vllm", api_key="sk-local-000111222", base_url="http://h/v1")
    await _cancel_inside_the_write(database, monkeypatch, store.add(key))
    [added] = await store.list()
    assert added.api_key == "sk-local-000111222"
    await _cancel_inside_the_write(database, monkeypatch, store.remove("vllm"))
    assert await store.list() == []

"""The accounts a gateway serves: its database is opened, and so SQLAlchemy used, only
once it holds an account; until then it is neither created nor opened."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from dragoman.config import home_dir
from dragoman.store import Database, open_database
from dragoman.store.account_store import AccountStore
from dragoman.store.accounts import Account
from dragoman.store.db import UnusableDatabase
from dragoman.store.source import AccountSource


def url_of(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


async def add_account(path: Path, label: str) -> Account:
    """What `dragoman accounts add` does, from another connection."""
    database = await open_database(url_of(path))
    try:
        return await AccountStore(database.engine, database.keys).add(
            Account("openai", label=label, api_key="sk-x")
        )
    finally:
        await database.close()


async def test_no_file_no_accounts_and_no_file_made(tmp_path: Path) -> None:
    path = tmp_path / "dragoman.db"
    source = AccountSource(url_of(path), home_dir())
    assert await source.list() == [] and await source.store() is None
    assert source.database is None and not path.exists()
    await source.close()


async def test_opened_when_the_first_account_appears_then_read_through_sqlalchemy(tmp_path: Path) -> None:
    path = tmp_path / "dragoman.db"
    opened: list[Database] = []
    source = AccountSource(url_of(path), home_dir(), opened.append)
    try:
        assert await source.list() == []
        first = await add_account(path, "first")
        assert await source.list() == [first]
        assert opened == [source.database] and source.database is not None
        second = await add_account(path, "second")
        assert await source.list() == [first, second]
        assert len(opened) == 1, "opened once"
    finally:
        await source.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


async def test_an_empty_database_stays_closed_until_an_account_comes(tmp_path: Path) -> None:
    path = tmp_path / "dragoman.db"
    await add_account(path, "gone")
    database = await open_database(url_of(path))
    await AccountStore(database.engine, database.keys).remove("gone")
    await database.close()
    source = AccountSource(url_of(path), home_dir())
    try:
        assert await source.list() == [] and source.database is None
        assert await source.list() == [] and source.database is None
        added = await add_account(path, "back")
        assert await source.list() == [added] and source.database is not None
    finally:
        await source.close()


async def test_a_database_that_is_not_a_file_opens_at_once() -> None:
    source = AccountSource("sqlite+aiosqlite://", Path("unused-home"))
    try:
        store = await source.store()
        assert store is not None and source.database is not None
        assert await source.list() == []
    finally:
        await source.close()


async def test_a_file_that_is_no_database_is_reported_as_opening_it_always_did(tmp_path: Path) -> None:
    path = tmp_path / "dragoman.db"
    path.write_bytes(b"this is not a database" * 200)
    source = AccountSource(url_of(path), home_dir())
    with pytest.raises(UnusableDatabase, match="not a database"):
        await source.list()
    await source.close()

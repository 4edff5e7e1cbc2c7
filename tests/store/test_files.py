"""What is known of the database without SQLAlchemy: where its file is, whether it
changed, whether it holds accounts."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from dragoman.store import open_database
from dragoman.store.account_store import AccountStore
from dragoman.store.accounts import Account
from dragoman.store.files import holds_accounts, signature, sqlite_file

URLS = [
    "sqlite+aiosqlite:////home/me/.dragoman/dragoman.db",
    "sqlite+aiosqlite:///relative/dragoman.db",
    "sqlite:///a%20b/c.db",
    "sqlite:////tmp/x.db?timeout=10",
    "sqlite+pysqlite:///file.db?check_same_thread=false",
    "sqlite://",
    "sqlite:///:memory:",
    "postgresql+asyncpg://user:pw@db.example:5432/dragoman",
    "postgresql+asyncpg://user@/dragoman?host=/run/postgresql",
    "mysql+aiomysql://u:p@[::1]:3306/d",
]


@pytest.mark.parametrize("url", URLS)
def test_the_file_is_the_one_sqlalchemy_opens(url: str) -> None:
    parsed = make_url(url)
    expected = parsed.database if parsed.get_backend_name() == "sqlite" else None
    found = sqlite_file(url)
    assert (str(found) if found is not None else None) == (None if expected == ":memory:" else expected)


async def test_holds_accounts_reads_without_creating(tmp_path: Path) -> None:
    path = tmp_path / "dragoman.db"
    assert holds_accounts(path) is None and not path.exists(), "gone: cannot tell, and nothing made"
    database = await open_database(f"sqlite+aiosqlite:///{path}")
    try:
        assert holds_accounts(path) is False
        await AccountStore(database.engine, database.keys).add(Account("openai", api_key="sk-1"))
        assert holds_accounts(path) is True
    finally:
        await database.close()
    assert holds_accounts(path) is True


def test_a_file_without_the_table_holds_none_and_garbage_is_left_to_sqlalchemy(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    empty.touch()
    assert holds_accounts(empty) is False
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"not a database at all" * 100)
    assert holds_accounts(garbage) is True


async def test_the_signature_changes_with_every_write(tmp_path: Path) -> None:
    path = tmp_path / "dragoman.db"
    assert signature(path) is None
    database = await open_database(f"sqlite+aiosqlite:///{path}")
    try:
        seen = signature(path)
        assert seen is not None
        assert holds_accounts(path) is False
        assert signature(path) == seen, "a look changes nothing"
        store = AccountStore(database.engine, database.keys)
        for number in range(5):
            await store.add(Account("openai", label=f"k{number}", api_key="sk-1"))
            now = signature(path)
            assert now != seen
            seen = now
    finally:
        await database.close()
    closed = signature(path)
    assert closed != seen, "closing checkpoints the log into the file"
    assert holds_accounts(path) is True
    assert signature(path) == closed, "a look, the only connection, leaves the files as they were"

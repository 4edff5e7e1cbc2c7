"""The account_policies table: changes merge field by field, a removal forgets them, and
a SQLite file holding only overrides is worth opening for a gateway."""

from __future__ import annotations

from pathlib import Path

from dragoman.config import home_dir
from dragoman.store import open_database
from dragoman.store.files import holds_accounts
from dragoman.store.policy_store import PolicyStore
from dragoman.store.source import AccountSource


async def test_changes_merge_and_forget_drops_them(database_url: str) -> None:
    database = await open_database(database_url)
    try:
        store = PolicyStore(database.engine)
        await store.change("work", {"priority": 3})
        merged = await store.change("work", {"weight": 2.5, "max_concurrent": 4})
        assert (merged.priority, merged.weight, merged.max_concurrent, merged.enabled) == (3, 2.5, 4, None)
        await store.change("home", {"enabled": False})
        found = await store.all()
        assert found["work"] == merged and found["home"].enabled is False
        await store.forget("work")
        assert set(await store.all()) == {"home"}
    finally:
        await database.close()


async def test_a_database_with_only_an_override_is_opened_by_a_gateway(tmp_path: Path) -> None:
    path = tmp_path / "dragoman.db"
    url = f"sqlite+aiosqlite:///{path}"
    database = await open_database(url)
    await database.close()
    assert holds_accounts(path) is False
    source = AccountSource(url, home_dir())
    try:
        assert await source.overrides() == {}
        database = await open_database(url)
        await PolicyStore(database.engine).change("configured", {"enabled": False})
        await database.close()
        assert holds_accounts(path) is True
        assert (await source.overrides())["configured"].enabled is False
        assert await source.list() == []
    finally:
        await source.close()

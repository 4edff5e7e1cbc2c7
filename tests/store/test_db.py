from __future__ import annotations

import stat
from pathlib import Path

import pytest
from sqlalchemy import text

from dragoman.store import open_database
from dragoman.store.db import prepare_home
from dragoman.store.migrations import LATEST


async def test_creates_a_private_database_at_the_latest_version(tmp_path: Path) -> None:
    home = tmp_path / "home"
    prepare_home(home)
    database = await open_database(f"sqlite+aiosqlite:///{home / 'dragoman.db'}")
    try:
        assert database.version == LATEST
        async with database.engine.connect() as connection:
            version = (await connection.execute(text("SELECT version FROM schema_version"))).scalar_one()
        assert version == LATEST
    finally:
        await database.close()
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    files = list(home.iterdir())
    assert "dragoman.db" in {path.name for path in files}  # else the loop below checks nothing
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


async def test_reopening_does_not_migrate_twice(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}"
    first = await open_database(url)
    await first.close()
    second = await open_database(url)
    try:
        async with second.engine.connect() as connection:
            rows = (await connection.execute(text("SELECT count(*) FROM schema_version"))).scalar_one()
        assert rows == 1
    finally:
        await second.close()


async def test_a_newer_database_is_refused(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}"
    database = await open_database(url)
    async with database.engine.begin() as connection:
        await connection.execute(text("UPDATE schema_version SET version = 999"))
    await database.close()
    with pytest.raises(RuntimeError, match="upgrade dragoman"):
        await open_database(url)


def test_prepare_home_tightens_an_open_folder(tmp_path: Path) -> None:
    home = tmp_path / "open"
    home.mkdir(mode=0o755)
    prepare_home(home)
    assert stat.S_IMODE(home.stat().st_mode) == 0o700

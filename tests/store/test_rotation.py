"""`rotate_key`: every row sealed anew under a new key, readable at every point of the
way (a crash halfway included), by the rotating process and by one already running."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from dragoman.store import Database, open_database, sealed_rows
from dragoman.store.account_store import AccountStore
from dragoman.store.accounts import Account
from dragoman.store.keyring import KEY_FILE, VARIABLE, Keyring, SecretKeyError, new_key
from dragoman.store.rotation import rotate_key
from dragoman.store.sealing import PREFIX

KEYS = {"one": "sk-rotate-one-0123456789", "two": "sk-rotate-two-0123456789"}


def url_of(home: Path) -> str:
    return f"sqlite+aiosqlite:///{home / 'dragoman.db'}"


async def _open(home: Path, environ: dict[str, str] | None = None) -> Database:
    home.mkdir(parents=True, exist_ok=True)
    return await open_database(url_of(home), Keyring(home, {} if environ is None else environ))


@pytest.fixture
async def database(dragoman_home: Path) -> AsyncIterator[Database]:
    database = await _open(dragoman_home)
    store = AccountStore(database.engine, database.keys)
    for label, key in KEYS.items():
        await store.add(Account("openai", label=label, api_key=key))
    yield database
    await database.close()


async def _key_ids(database: Database) -> set[str]:
    """The ids of the keys the stored envelopes name."""
    async with database.engine.connect() as connection:
        rows = await connection.execute(text("SELECT api_key, extra FROM accounts"))
        values = [value for row in rows for value in row if isinstance(value, str)]
    return {value.strip('"')[len(PREFIX) :].split(":")[0] for value in values}


async def _api_keys(home: Path, environ: dict[str, str] | None = None) -> dict[str, str | None]:
    database = await _open(home, environ)
    try:
        return {a.label: a.api_key for a in await AccountStore(database.engine, database.keys).list()}
    finally:
        await database.close()


async def test_the_file_gets_a_new_key_every_row_uses_it_the_old_one_goes(
    database: Database, dragoman_home: Path
) -> None:
    [old] = database.keys.ids()
    running = Keyring(dragoman_home, {})  # a gateway that read the file before the rotation
    assert running.ids() == [old]
    rotation = await rotate_key(database)
    assert rotation.resealed == 2 and rotation.retired == [old] and rotation.key_id != old
    assert rotation.source == str(dragoman_home / KEY_FILE)
    assert database.keys.ids() == [rotation.key_id]
    assert len((dragoman_home / KEY_FILE).read_text().split()) == 1
    assert await _key_ids(database) == {rotation.key_id}
    assert await _api_keys(dragoman_home) == KEYS
    # The running gateway reads the new file when a row names the new key, and seals with it.
    assert [a.api_key for a in await AccountStore(database.engine, running).list()] == list(KEYS.values())
    assert running.sealing_key()[0] == rotation.key_id


async def test_a_crash_while_resealing_leaves_every_row_readable_and_a_rerun_finishes(
    database: Database, dragoman_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    [old] = database.keys.ids()
    real = sealed_rows.update_sealed
    calls = []

    async def crashing(*args: Any) -> None:
        calls.append(args)
        if len(calls) == 2:
            raise RuntimeError("the process died here")
        await real(*args)

    monkeypatch.setattr(sealed_rows, "update_sealed", crashing)
    with pytest.raises(RuntimeError):
        await rotate_key(database)
    monkeypatch.undo()
    assert await _key_ids(database) == {old}  # the one transaction rolled back: no row half done
    assert len(Keyring(dragoman_home, {}).ids()) == 2  # the new key added, the old one kept
    assert await _api_keys(dragoman_home) == KEYS
    rotation = await rotate_key(database)
    assert await _key_ids(database) == {rotation.key_id}
    assert Keyring(dragoman_home, {}).ids() == [rotation.key_id]
    assert await _api_keys(dragoman_home) == KEYS


async def test_a_crash_before_the_old_key_is_dropped_leaves_both_readable(
    database: Database, dragoman_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    writes = []
    real = Keyring.replace_file

    def crashing(self: Keyring, keys: list[str]) -> None:
        writes.append(keys)
        if len(writes) == 2:
            raise RuntimeError("the process died here")
        real(self, keys)

    monkeypatch.setattr(Keyring, "replace_file", crashing)
    with pytest.raises(RuntimeError):
        await rotate_key(database)
    monkeypatch.undo()
    new = Keyring(dragoman_home, {}).ids()[0]
    assert await _key_ids(database) == {new}
    assert await _api_keys(dragoman_home) == KEYS


async def test_with_the_variable_the_first_key_seals_and_the_others_can_go(dragoman_home: Path) -> None:
    old, new = new_key(), new_key()
    database = await _open(dragoman_home, {VARIABLE: old})
    try:
        await AccountStore(database.engine, database.keys).add(
            Account("openai", label="one", api_key=KEYS["one"])
        )
        [old_id] = database.keys.ids()
    finally:
        await database.close()
    both = await _open(dragoman_home, {VARIABLE: f"{new},{old}"})
    try:
        rotation = await rotate_key(both)
        assert (rotation.resealed, rotation.source, rotation.retired) == (1, VARIABLE, [old_id])
        assert await _key_ids(both) == {rotation.key_id}
    finally:
        await both.close()
    assert await _api_keys(dragoman_home, {VARIABLE: new}) == {"one": KEYS["one"]}
    assert not (dragoman_home / KEY_FILE).exists()


async def test_a_row_no_key_opens_stops_the_rotation_before_any_change(
    database: Database, dragoman_home: Path
) -> None:
    async with database.engine.begin() as connection:
        await connection.execute(
            text("UPDATE accounts SET api_key = :k WHERE label = 'two'"), {"k": PREFIX + "0:x"}
        )
    before = (dragoman_home / KEY_FILE).read_text()
    with pytest.raises(SecretKeyError, match=r"^the api_key of account 'two' was sealed with key 0"):
        await rotate_key(database)
    assert (dragoman_home / KEY_FILE).read_text() == before

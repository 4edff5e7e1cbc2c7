"""Credentials sealed in the database: no secret in the file's bytes, each envelope bound
to its row and column, a changed one refused, the wrong key named, and a database from
before sealing sealed when opened."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text

from dragoman.store import Database, open_database, sealing
from dragoman.store.account_store import AccountStore
from dragoman.store.accounts import Account
from dragoman.store.keyring import KEY_FILE, VARIABLE, Keyring, SecretKeyError, new_key
from dragoman.store.sealing import PREFIX, seal, unseal

API_KEY = "sk-sealed-api-key-0123456789"
ACCESS, REFRESH, ID_TOKEN = "at-sealed-0123456789", "rt-sealed-0123456789", "idt-sealed-0123456789"


def raw_bytes(home: Path) -> bytes:
    """Every byte SQLite keeps for the database: the file, its log and shared memory."""
    return b"".join(path.read_bytes() for path in home.glob("dragoman.db*"))


def url_of(home: Path) -> str:
    return f"sqlite+aiosqlite:///{home / 'dragoman.db'}"


@pytest.fixture
async def database(dragoman_home: Path) -> AsyncIterator[Database]:
    dragoman_home.mkdir(parents=True, exist_ok=True)
    database = await open_database(url_of(dragoman_home), Keyring(dragoman_home))
    yield database
    await database.close()


def _login() -> Account:
    return Account(
        "codex",
        label="work",
        auth="oauth",
        access_token=ACCESS,
        refresh_token=REFRESH,
        email="alice@example.com",
        extra={"id_token": ID_TOKEN, "project": "p-1"},
    )


async def _raw(database: Database, column: str, label: str) -> str:
    async with database.engine.connect() as connection:
        found = await connection.execute(
            text(f"SELECT {column} FROM accounts WHERE label = :l"), {"l": label}
        )
        return str(found.scalar_one())


def test_a_seal_opens_only_for_its_own_place(tmp_path: Path) -> None:
    keys = Keyring(tmp_path, {VARIABLE: new_key()})
    sealed = seal(keys, API_KEY, "dragoman/accounts/1/api_key")
    assert sealed.startswith(PREFIX) and API_KEY not in sealed
    assert seal(keys, API_KEY, "dragoman/accounts/1/api_key") != sealed  # a fresh nonce each time
    assert unseal(keys, sealed, "dragoman/accounts/1/api_key", "it") == API_KEY
    for elsewhere in ("dragoman/accounts/2/api_key", "dragoman/accounts/1/refresh_token"):
        with pytest.raises(SecretKeyError, match=r"^it fails its integrity check"):
            unseal(keys, sealed, elsewhere, "it")


async def test_no_secret_is_in_the_files_bytes(database: Database, dragoman_home: Path) -> None:
    store = AccountStore(database.engine, database.keys)
    await store.add(Account("openai", label="key", api_key=API_KEY))
    await store.add(_login())
    await database.engine.dispose()  # every page written back to the file
    stored = raw_bytes(dragoman_home)
    for secret in (API_KEY, ACCESS, REFRESH, ID_TOKEN, "p-1"):
        assert secret.encode() not in stored
    assert b"alice@example.com" in stored  # who it is stays readable: it is not a secret
    listed = {account.label: account for account in await store.list()}
    assert listed["key"].api_key == API_KEY
    assert (listed["work"].access_token, listed["work"].refresh_token) == (ACCESS, REFRESH)
    assert listed["work"].extra == {"id_token": ID_TOKEN, "project": "p-1"}


async def test_a_changed_envelope_is_refused_clearly(database: Database) -> None:
    store = AccountStore(database.engine, database.keys)
    await store.add(Account("openai", label="key", api_key=API_KEY))
    sealed = await _raw(database, "api_key", "key")
    changed = sealed[:-6] + ("A" if sealed[-6] != "A" else "B") + sealed[-5:]
    await _set(database, "key", api_key=changed)
    with pytest.raises(SecretKeyError) as caught:
        await store.list()
    assert str(caught.value).startswith("the api_key of account 'key' fails its integrity check")
    assert "Remove the account and add it (or log in) again" in str(caught.value)
    removed = await store.remove("key")  # a damaged account can still go
    assert removed is not None and removed.api_key is None


async def test_an_envelope_copied_to_another_row_is_refused(database: Database) -> None:
    store = AccountStore(database.engine, database.keys)
    await store.add(Account("openai", label="mine", api_key="sk-mine-0123456789"))
    await store.add(Account("openai", label="theirs", api_key=API_KEY))
    await _set(database, "mine", api_key=await _raw(database, "api_key", "theirs"))
    with pytest.raises(SecretKeyError, match=r"^the api_key of account 'mine' fails its integrity check"):
        await store.get("mine")
    assert (await store.get("theirs")).api_key == API_KEY  # type: ignore[union-attr]


async def test_the_wrong_key_is_named_by_id_never_shown(database: Database, dragoman_home: Path) -> None:
    await AccountStore(database.engine, database.keys).add(Account("openai", label="key", api_key=API_KEY))
    wrong = new_key()
    other = AccountStore(database.engine, Keyring(dragoman_home, {VARIABLE: wrong}))
    with pytest.raises(SecretKeyError) as caught:
        await other.list()
    message = str(caught.value)
    sealed_with = database.keys.ids()[0]
    assert message.startswith(
        f"the api_key of account 'key' was sealed with key {sealed_with}, which {VARIABLE}"
    )
    assert "add it to DRAGOMAN_SECRET_KEY" in message
    file_key = (dragoman_home / KEY_FILE).read_text().strip()
    assert wrong not in message and file_key not in message


async def test_the_variable_and_the_file_are_separate_sources(dragoman_home: Path) -> None:
    dragoman_home.mkdir(parents=True)
    key = new_key()
    by_variable = await open_database(url_of(dragoman_home), Keyring(dragoman_home, {VARIABLE: key}))
    try:
        await AccountStore(by_variable.engine, by_variable.keys).add(Account("openai", api_key=API_KEY))
    finally:
        await by_variable.close()
    assert not (dragoman_home / KEY_FILE).exists()  # the variable set: no file is made
    by_file = await open_database(url_of(dragoman_home), Keyring(dragoman_home, {}))
    try:
        with pytest.raises(SecretKeyError, match=r"was sealed with key \w+, but there is no key"):
            await AccountStore(by_file.engine, by_file.keys).list()
    finally:
        await by_file.close()
    (dragoman_home / KEY_FILE).write_text(key + "\n")  # the same key, kept in the file now
    again = await open_database(url_of(dragoman_home), Keyring(dragoman_home, {}))
    try:
        [account] = await AccountStore(again.engine, again.keys).list()
        assert account.api_key == API_KEY
    finally:
        await again.close()


async def test_a_database_from_before_sealing_is_sealed_when_opened(dragoman_home: Path) -> None:
    dragoman_home.mkdir(parents=True)
    await _plaintext_database(dragoman_home)
    assert API_KEY.encode() in raw_bytes(dragoman_home)
    database = await open_database(url_of(dragoman_home), Keyring(dragoman_home))
    try:
        accounts = {
            account.label: account for account in await AccountStore(database.engine, database.keys).list()
        }
        assert accounts["old-key"].api_key == API_KEY
        assert (accounts["old-login"].refresh_token, accounts["old-login"].extra) == (
            REFRESH,
            {"id_token": ID_TOKEN},
        )
        assert (await _raw(database, "refresh_token", "old-login")).startswith(PREFIX)
    finally:
        await database.close()
    stored = raw_bytes(dragoman_home)
    for secret in (API_KEY, ACCESS, REFRESH, ID_TOKEN):
        assert secret.encode() not in stored, secret


async def _plaintext_database(home: Path) -> None:
    """The database as the dragoman before sealing left it: its schema, rows in clear
    (opened without keys, nothing is sealed)."""
    database = await open_database(url_of(home))
    await database.close()
    with sqlite3.connect(home / "dragoman.db") as connection:
        connection.execute(
            "INSERT INTO accounts (provider, label, auth, api_key, models, scopes, created_at, extra)"
            " VALUES ('openai', 'old-key', 'api_key', ?, '[]', '[]', 1.0, '{}')",
            (API_KEY,),
        )
        connection.execute(
            "INSERT INTO accounts (provider, label, auth, access_token, refresh_token, models, scopes,"
            " created_at, extra) VALUES ('codex', 'old-login', 'oauth', ?, ?, '[]', '[]', 1.0, ?)",
            (ACCESS, REFRESH, f'{{"id_token": "{ID_TOKEN}"}}'),
        )


async def _set(database: Database, label: str, **values: str) -> None:
    async with database.engine.begin() as connection:
        assignments = ", ".join(f"{name} = :{name}" for name in values)
        await connection.execute(
            text(f"UPDATE accounts SET {assignments} WHERE label = :l"), {**values, "l": label}
        )


async def test_rows_read_again_are_not_decrypted_again(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A gateway lists the accounts every few seconds: each envelope is decrypted once."""
    store = AccountStore(database.engine, database.keys)
    await store.add(Account("openai", label="key", api_key=API_KEY))
    opened: list[str] = []
    real = sealing._decrypt

    def counted(key: bytes, body: str, context: str, what: str) -> str:
        opened.append(context)
        return real(key, body, context, what)

    monkeypatch.setattr(sealing, "_decrypt", counted)
    for _ in range(5):
        [account] = await store.list()
        assert account.api_key == API_KEY
    assert sorted(opened) == [
        f"dragoman/accounts/{account.id}/api_key",
        f"dragoman/accounts/{account.id}/extra",
    ]

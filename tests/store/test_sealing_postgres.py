"""Sealing on PostgreSQL, the database replicas share: no secret in any column's text,
the table locked for a rotation (not SQLite's write lock), a copied envelope refused.
Runs on the local PostgreSQL, in the test session's database (`tests.databases`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text

from dragoman.auth.store import CredentialStore
from dragoman.store import Database, open_database
from dragoman.store.account_store import AccountStore
from dragoman.store.accounts import Account
from dragoman.store.keyring import Keyring, SecretKeyError
from dragoman.store.rotation import rotate_key
from tests.databases import ready_postgres

SECRETS = (
    "sk-pg-sealed-0123456789",
    "at-pg-sealed-0123456789",
    "rt-pg-sealed-0123456789",
    "idt-pg-0123456789",
)


@pytest.fixture
async def database(postgres_url: str, dragoman_home: Path) -> AsyncIterator[Database]:
    """The session's PostgreSQL database (`tests.databases`) at this schema, emptied."""
    await ready_postgres(postgres_url)
    database = await open_database(postgres_url, Keyring(dragoman_home))
    yield database
    await database.close()


async def _stored_text(database: Database) -> str:
    """Every column of every accounts row, as PostgreSQL writes it in text."""
    async with database.engine.connect() as connection:
        rows = await connection.execute(text("SELECT accounts::text FROM accounts"))
        return "\n".join(row[0] for row in rows)


async def _add_both(database: Database) -> None:
    await AccountStore(database.engine, database.keys).add(Account("openai", label="key", api_key=SECRETS[0]))
    login = Account("codex", auth="oauth", access_token=SECRETS[1], refresh_token=SECRETS[2],
                    email="alice@example.com", extra={"id_token": SECRETS[3]})  # fmt: skip
    await CredentialStore(database.engine, database.keys).save_login(login)


async def test_no_secret_is_in_any_column_and_a_rotation_reseals_every_row(database: Database) -> None:
    await _add_both(database)
    stored = await _stored_text(database)
    assert "alice@example.com" in stored
    assert not [secret for secret in SECRETS if secret in stored]
    [old] = database.keys.ids()
    rotation = await rotate_key(database)
    assert rotation.resealed == 2 and rotation.retired == [old]
    assert old not in await _stored_text(database) and rotation.key_id in await _stored_text(database)
    listed = await AccountStore(database.engine, database.keys).list()
    assert [(a.api_key, a.access_token, a.refresh_token, a.extra.get("id_token")) for a in listed] == [
        (SECRETS[0], None, None, None),
        (None, SECRETS[1], SECRETS[2], SECRETS[3]),
    ]


async def test_an_envelope_copied_to_another_row_is_refused(database: Database) -> None:
    await _add_both(database)
    async with database.engine.begin() as connection:
        await connection.execute(
            text(
                "UPDATE accounts SET access_token = (SELECT api_key FROM accounts WHERE label = 'key')"
                " WHERE auth = 'oauth'"
            )
        )
    with pytest.raises(
        SecretKeyError, match=r"^the access_token of account 'codex-alice' fails its integrity"
    ):
        await CredentialStore(database.engine, database.keys).logins()

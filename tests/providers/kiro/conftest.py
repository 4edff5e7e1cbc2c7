"""The fake Kiro, and logins stored as dragoman stores them: a social login with tokens
the fake issued, or an API key as `dragoman accounts add --provider kiro --api-key` keeps it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from dragoman.auth.login import account_from_facts
from dragoman.auth.store import CredentialStore
from dragoman.auth.tokens import token_facts
from dragoman.providers.kiro import SPEC
from dragoman.providers.kiro.auth import token_answer
from dragoman.store import open_database
from dragoman.store.accounts import Account
from tests.fakes.kiro import KiroFake
from tests.subscriptions import database_url


@pytest.fixture
def kiro() -> Iterator[KiroFake]:
    fake = KiroFake().start()
    try:
        yield fake
    finally:
        fake.stop()


def social_login(kiro: KiroFake, **changes: Any) -> Account:
    """An unsaved social login with tokens the fake issued."""
    answer = {**token_answer(kiro.new_tokens()), "login": "social", "auth_region": "us-east-1"}
    return replace(account_from_facts("kiro", token_facts(SPEC, answer)), **changes)


def key_login(kiro: KiroFake) -> Account:
    return Account(provider="kiro", auth="oauth", access_token=kiro.key, extra={"login": "api_key"})


def store(home: Path, draft: Account) -> Account:
    async def save() -> Account:
        home.mkdir(parents=True, exist_ok=True, mode=0o700)
        database = await open_database(database_url(home))
        try:
            stored, _ = await CredentialStore(database.engine, database.keys).save_login(draft)
            return stored
        finally:
            await database.close()

    return asyncio.run(save())

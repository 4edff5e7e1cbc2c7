"""The fake Copilot, and logins stored as `dragoman login --provider copilot` stores
them: a GitHub token the fake issued, exchanged there for a Copilot token."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from dragoman.auth.endpoints import oauth_for
from dragoman.auth.exchange import exchange
from dragoman.auth.login import account_from_facts
from dragoman.auth.store import CredentialStore
from dragoman.auth.tokens import new_client, token_facts
from dragoman.config import load
from dragoman.providers.copilot import SPEC
from dragoman.store import open_database
from dragoman.store.accounts import Account
from tests.fakes.copilot import CopilotFake
from tests.subscriptions import database_url


@pytest.fixture
def copilot() -> Iterator[CopilotFake]:
    fake = CopilotFake().start()
    try:
        yield fake
    finally:
        fake.stop()


def store_copilot_login(home: Path, copilot: CopilotFake, *, expires_at: float | None = None) -> Account:
    """A stored login; `expires_at` overrides the expiry kept (the token stays live)."""

    async def save() -> Account:
        oauth = oauth_for(SPEC, load(overrides={"oauth": copilot.settings()}))
        async with new_client() as client:
            answer = await exchange(client, oauth, copilot.new_github_token())
        draft = account_from_facts("copilot", token_facts(SPEC, answer))
        if expires_at is not None:
            draft = replace(draft, expires_at=expires_at)
        home.mkdir(parents=True, exist_ok=True, mode=0o700)
        database = await open_database(database_url(home))
        try:
            stored, _ = await CredentialStore(database.engine, database.keys).save_login(draft)
            return stored
        finally:
            await database.close()

    return asyncio.run(save())

"""Fake OAuth servers and backends for the login and refresh tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from dragoman.auth.endpoints import oauth_for
from dragoman.auth.refresh import TokenKeeper
from dragoman.auth.store import CredentialStore
from dragoman.config import Settings, load
from dragoman.providers import discover
from dragoman.providers.subscription import OAuthSpec
from dragoman.store import open_database
from tests.subscriptions import Subscription, subscription


@pytest.fixture
def codex() -> Iterator[Subscription]:
    with subscription("codex") as sub:
        yield sub


@pytest.fixture
def grok() -> Iterator[Subscription]:
    with subscription("grok") as sub:
        yield sub


def oauth_of(sub: Subscription) -> OAuthSpec:
    """The kind's OAuth client as a configuration pointing at the fakes has it."""
    return oauth_for(discover()[sub.kind], load(overrides={"oauth": sub.settings()}))


def settings_for(sub: Subscription) -> Settings:
    return load(overrides={"oauth": sub.settings()})


@asynccontextmanager
async def keeper_for(sub: Subscription, **options: Any) -> AsyncIterator[TokenKeeper]:
    """A TokenKeeper on this test's database, with the kind's OAuth at the fakes."""
    settings = settings_for(sub)
    database = await open_database(settings.effective_database_url)
    keeper = TokenKeeper(CredentialStore(database.engine, database.keys), settings, **options)
    try:
        yield keeper
    finally:
        await keeper.aclose()
        await database.close()

"""Fake OAuth servers and backends for the login and refresh tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from dragoman.auth.endpoints import oauth_for
from dragoman.config import load
from dragoman.providers import discover
from dragoman.providers.subscription import OAuthSpec
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

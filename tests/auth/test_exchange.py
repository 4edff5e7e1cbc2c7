"""The token exchange (Copilot): a refresh that mints the short-lived token from the
login's own, against the fake Copilot; what a refused or unreachable exchange means."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from dragoman.auth import tokens
from dragoman.auth.endpoints import oauth_for
from dragoman.config import load
from dragoman.providers.copilot import SPEC
from dragoman.providers.subscription import OAuthSpec
from tests.fakes.copilot import CopilotFake
from tests.gateway import closed_port


@pytest.fixture
def copilot() -> Iterator[CopilotFake]:
    fake = CopilotFake().start()
    try:
        yield fake
    finally:
        fake.stop()


def _oauth(copilot: CopilotFake) -> OAuthSpec:
    return oauth_for(SPEC, load(overrides={"oauth": copilot.settings()}))


async def test_a_refresh_is_an_exchange_that_keeps_the_login_token(copilot: CopilotFake) -> None:
    github = copilot.new_github_token()
    async with tokens.new_client() as client:
        answer = await tokens.refresh(client, _oauth(copilot), github)
    assert answer["access_token"] in copilot.copilot_tokens and answer["refresh_token"] == github
    assert answer["quota_url"] == f"{copilot.url}/copilot_internal/user"


async def test_a_refused_github_token_needs_a_new_login(copilot: CopilotFake) -> None:
    async with tokens.new_client() as client:
        with pytest.raises(tokens.OAuthError, match="Bad credentials") as refused:
            await tokens.refresh(client, _oauth(copilot), "ghu_" + "0" * 36)
    assert refused.value.permanent


async def test_an_unreachable_exchange_is_transient(copilot: CopilotFake) -> None:
    with closed_port() as port:
        oauth = OAuthSpec(client_id="x", token_url="unused", exchange_url=f"http://127.0.0.1:{port}/token")
        async with tokens.new_client() as client:
            with pytest.raises(tokens.OAuthError) as failed:
                await tokens.refresh(client, oauth, "ghu_whatever")
    assert not failed.value.permanent

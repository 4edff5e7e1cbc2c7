"""`dragoman login --provider copilot`: GitHub's device flow, then the first exchange,
against the fake Copilot; what the stored login holds; a user without Copilot."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from dragoman.auth.callback import LoginError
from dragoman.auth.endpoints import oauth_for
from dragoman.auth.login import LoginIO, login
from dragoman.auth.tokens import new_client
from dragoman.config import load
from dragoman.providers.copilot import SPEC
from dragoman.store.accounts import Account
from tests.cli.test_login import run
from tests.fakes.copilot import CopilotFake
from tests.subscriptions import stored_logins


def _login(copilot: CopilotFake, shown: list[str], confirm_after: int = 2) -> Account:
    oauth = oauth_for(SPEC, load(overrides={"oauth": copilot.settings()}))

    async def sleep(seconds: float) -> None:
        # The user confirms on github.com while dragoman polls.
        copilot.approved = copilot.polls >= confirm_after
        await asyncio.sleep(0)

    async def run() -> Account:
        async with new_client() as client:
            io = LoginIO(show=shown.append, sleep=sleep)
            return await login(SPEC, oauth, client, io, flow="device", no_browser=True)

    return asyncio.run(run())


def test_the_device_flow_waits_for_the_user_then_exchanges(copilot: CopilotFake) -> None:
    shown: list[str] = []
    account = _login(copilot, shown)
    assert any("WDJB-MJHT" in line and "github.com/login/device" in line for line in shown)
    assert copilot.polls >= 3  # two pending answers (HTTP 200 with an error), then the token
    assert account.refresh_token in copilot.github_tokens
    assert account.access_token in copilot.copilot_tokens
    assert copilot.exchanges == 1
    # The exchange says which host serves this account.
    assert account.base_url == copilot.url
    assert account.plan == "copilot_pro"
    assert account.extra["quota_url"] == f"{copilot.url}/copilot_internal/user"
    # Replaced a minute before GitHub's refresh_in, once the keeper's margin is counted.
    assert account.expires_at == pytest.approx(time.time() + copilot.refresh_in + 240, abs=5)


def test_a_github_user_without_copilot_is_told_at_login(copilot: CopilotFake) -> None:
    copilot.subscribed = False
    with pytest.raises(LoginError, match="Not Found"):
        _login(copilot, [])


def test_the_login_runs_as_the_vs_code_copilot_app() -> None:
    assert SPEC.oauth is not None
    assert (SPEC.oauth.client_id, SPEC.oauth.scopes, SPEC.oauth.flows) == (
        "Iv1.b507a08c87ecfe98",
        ("read:user",),
        ("device",),
    )


def test_dragoman_login_stores_the_account(copilot: CopilotFake, dragoman_home: Path) -> None:
    lines = ["detect_ollama = false", "[oauth.copilot]"]
    lines += [f'{key} = "{value}"' for key, value in copilot.settings()["copilot"].items()]
    dragoman_home.mkdir(parents=True, exist_ok=True)
    (dragoman_home / "config.toml").write_text("\n".join(lines) + "\n")
    copilot.approved = True
    result = run("login", "--provider", "copilot")
    assert result.exit_code == 0, result.output
    assert "WDJB-MJHT" in result.output
    [stored] = stored_logins(dragoman_home)
    assert (stored.provider, stored.base_url, stored.plan) == ("copilot", copilot.url, "copilot_pro")
    assert stored.refresh_token in copilot.github_tokens and stored.access_token in copilot.copilot_tokens

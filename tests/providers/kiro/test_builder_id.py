"""Kiro's AWS Builder ID login (`dragoman login --provider kiro --device`) against the
fake AWS OIDC server: a client registered, a user code shown, CreateToken polled at the
pace AWS asks, and the login then served and refreshed with its own registration."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from dragoman.auth.callback import LoginError
from dragoman.auth.endpoints import oauth_for
from dragoman.auth.login import LoginIO, login
from dragoman.auth.tokens import new_client
from dragoman.providers.kiro import SPEC
from dragoman.store.accounts import Account
from tests.cli.test_login import run
from tests.fakes.fixtures import FakeUpstreams
from tests.fakes.kiro import KiroFake
from tests.gateway import serve_gateway
from tests.providers.kiro.test_login import _config, _settings
from tests.subscriptions import stored_logins


def _device_login(kiro: KiroFake, shown: list[str], waits: list[float]) -> Account:
    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    async def go() -> Account:
        async with new_client() as client:
            io = LoginIO(show=shown.append, sleep=sleep)
            return await login(
                SPEC, oauth_for(SPEC, _settings(kiro)), client, io, flow="device", no_browser=True
            )

    return asyncio.run(go())


def test_a_builder_id_login_registers_a_client_and_polls_until_confirmed(kiro: KiroFake) -> None:
    kiro.slow = True
    shown: list[str] = []
    waits: list[float] = []
    account = _device_login(kiro, shown, waits)
    assert any("ABCD-EFGH" in line and f"{kiro.url}/device" in line for line in shown)
    assert account.access_token in kiro.sso_tokens and account.refresh_token in kiro.refresh_tokens
    extra = account.extra
    assert extra["login"] == "idc" and extra["auth_region"] == "us-east-1"
    assert kiro.clients[extra["client_id"]] == extra["client_secret"] != kiro.client_secret
    # slow_down once (+5 s), pending twice, then the tokens: each poll at AWS's pace.
    assert waits == [1.0, 6.0, 6.0, 6.0] and len(kiro.token_polls) == 4
    assert {poll["clientId"] for poll in kiro.token_polls} == {extra["client_id"]}


def test_a_denied_builder_id_login_says_so(kiro: KiroFake) -> None:
    kiro.device_denied = True
    with pytest.raises(LoginError, match="denied on the verification page"):
        _device_login(kiro, [], [])


def test_dragoman_login_device_serves_and_refreshes_a_builder_id(
    kiro: KiroFake, dragoman_home: Path, fakes: FakeUpstreams
) -> None:
    _config(dragoman_home, kiro)
    kiro.device_polls = 0
    result = run("login", "--provider", "kiro", "--device", "--no-browser")
    assert result.exit_code == 0, result.output
    assert "ABCD-EFGH" in result.output
    [account] = stored_logins(dragoman_home)
    assert account.extra["login"] == "idc" and account.access_token in kiro.sso_tokens
    body = {"model": "claude-sonnet-4.5", "messages": [{"role": "user", "content": "Hi"}]}
    with serve_gateway(fakes, providers={}, oauth=kiro.settings()) as url:
        assert httpx.post(f"{url}/v1/chat/completions", json=body, timeout=30).status_code == 200
        assert "profileArn" not in kiro.last_json
        kiro.expire_tokens()
        answer = httpx.post(f"{url}/v1/chat/completions", json=body, timeout=30)
    assert answer.status_code == 200, answer.text
    assert kiro.refreshes == 1

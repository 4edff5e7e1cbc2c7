"""Whole logins against the fake OAuth server: the browser's redirect to the listener,
every paste form, the device flows, and what a login knows of its account."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from dragoman.auth.callback import LoginError
from dragoman.auth.login import LoginIO, browser_login, choose_flow, login
from dragoman.auth.tokens import new_client
from dragoman.providers import discover
from tests.auth.conftest import oauth_of
from tests.fakes.oauth import User
from tests.subscriptions import Subscription


def browser_follows(url: str) -> None:
    """A browser in another thread: the authorize page, then the redirect it gives."""
    threading.Thread(target=lambda: httpx.get(url, follow_redirects=True, timeout=10), daemon=True).start()


def redirect_of(url: str) -> str:
    """Where the authorize page sends the browser (the page the user copies from)."""
    answer = httpx.get(url, follow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    return answer.headers["location"]


class Screen:
    """What a login shows, and the authorize URL in it."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.url: asyncio.Future[str] | None = None

    def show(self, text: str) -> None:
        self.lines.append(text)
        for word in text.split():
            if "/oauth/authorize?" in word and self.url is not None and not self.url.done():
                self.url.set_result(word)

    def pastes(self, *forms: Callable[[str], str]) -> Callable[[], asyncio.Future[str]]:
        """A paste reader giving each form of the redirected URL in turn."""
        self.url = asyncio.get_running_loop().create_future()
        queue = list(forms)

        async def read() -> str:
            assert self.url is not None
            location = await asyncio.to_thread(redirect_of, await self.url)
            return queue.pop(0)(location) if queue else await asyncio.Event().wait()  # type: ignore[func-returns-value]

        return read  # type: ignore[return-value]


async def run(sub: Subscription, io: LoginIO, *, device: bool | None = None, no_browser: bool = False):  # type: ignore[no-untyped-def]
    oauth = oauth_of(sub)
    async with new_client() as client:
        return await login(
            discover()[sub.kind], oauth, client, io, flow=choose_flow(oauth, device), no_browser=no_browser
        )


async def test_the_browser_redirect_to_the_listener_logs_in(codex: Subscription) -> None:
    screen = Screen()
    account = await run(codex, LoginIO(show=screen.show, open_browser=browser_follows))
    assert (account.provider, account.auth, account.email, account.account_id, account.plan) == (
        "codex",
        "oauth",
        "alice@example.com",
        "acct-alice",
        "plus",
    )
    assert account.access_token in codex.oauth.access and account.refresh_token in codex.oauth.refresh_tokens
    [asked] = codex.oauth.authorize_requests
    assert asked["originator"] == "codex_cli_rs" and asked["codex_cli_simplified_flow"] == "true"
    assert urlsplit(asked["redirect_uri"]).hostname == "localhost"
    assert asked["scope"].split() == ["openid", "profile", "email", "offline_access"]
    [exchange] = codex.oauth.token_requests
    assert (
        exchange["grant_type"] == "authorization_code" and exchange["redirect_uri"] == asked["redirect_uri"]
    )


def _whole(location: str) -> str:
    return location


def _no_scheme(location: str) -> str:
    return location.partition("://")[2]


def _query(location: str) -> str:
    return urlsplit(location).query


def _code_hash_state(location: str) -> str:
    params = parse_qs(urlsplit(location).query)
    return f"{params['code'][0]}#{params['state'][0]}"


def _bare_code(location: str) -> str:
    return parse_qs(urlsplit(location).query)["code"][0]


@pytest.mark.parametrize("form", [_whole, _no_scheme, _query, _code_hash_state, _bare_code])
async def test_each_paste_form_logs_in_while_the_listener_waits(
    codex: Subscription, form: Callable[[str], str]
) -> None:
    screen = Screen()
    io = LoginIO(show=screen.show, read_paste=screen.pastes(form))
    account = await run(codex, io, no_browser=True)
    assert account.email == "alice@example.com" and account.refresh_token


async def test_a_paste_of_another_logins_state_is_refused_and_asked_again(codex: Subscription) -> None:
    def other_state(location: str) -> str:
        return _code_hash_state(location).partition("#")[0] + "#not-this-login"

    screen = Screen()
    io = LoginIO(show=screen.show, read_paste=screen.pastes(other_state, _whole))
    account = await run(codex, io, no_browser=True)
    assert any("state mismatch" in line for line in screen.lines)
    assert account.account_id == "acct-alice"


async def test_the_listener_wins_over_a_paste_that_never_comes(codex: Subscription) -> None:
    never = asyncio.Event()

    async def read_paste() -> str:
        await never.wait()
        return ""

    account = await run(
        codex, LoginIO(show=lambda text: None, open_browser=browser_follows, read_paste=read_paste)
    )
    assert account.account_id == "acct-alice"


async def test_a_code_page_login_uses_the_providers_page_and_the_paste_alone(codex: Subscription) -> None:
    """A kind with a code page (Claude, Gemini) redirects there under --no-browser."""
    from dataclasses import replace

    screen = Screen()
    oauth = replace(oauth_of(codex), paste_redirect_uri="https://provider.example/code")
    io = LoginIO(show=screen.show, read_paste=screen.pastes(_code_hash_state))
    async with new_client() as client:
        await browser_login(client, oauth, io, paste_page=True)
    assert codex.oauth.authorize_requests[0]["redirect_uri"] == "https://provider.example/code"
    assert codex.oauth.token_requests[0]["redirect_uri"] == "https://provider.example/code"


async def test_codex_device_login(codex: Subscription) -> None:
    shown: list[str] = []

    def show(text: str) -> None:
        shown.append(text)
        if "enter the code" in text:
            codex.oauth.device.approve()

    account = await run(codex, LoginIO(show=show), device=True)
    assert account.account_id == "acct-alice" and account.refresh_token
    assert codex.oauth.device.polls >= 1
    assert any(f"{codex.oauth.url}/codex/device" in line for line in shown)
    exchange = codex.oauth.token_requests[-1]
    assert exchange["redirect_uri"] == "https://auth.openai.com/deviceauth/callback"


async def test_grok_device_login_is_its_default_and_polls_until_confirmed(grok: Subscription) -> None:
    grok.oauth.user = User(email="gina@example.com", account_id="-", plan="supergrok")
    confirmed = asyncio.get_running_loop().call_later(0.3, grok.oauth.device.approve)
    try:
        account = await run(grok, LoginIO(show=lambda text: None))
    finally:
        confirmed.cancel()
    assert account.email == "gina@example.com" and account.account_id == grok.oauth.user.sub
    assert grok.oauth.device.polls >= 2, "polled while the confirmation was pending"


async def test_a_denied_device_login_fails(grok: Subscription) -> None:
    def show(text: str) -> None:
        grok.oauth.device.deny()

    with pytest.raises(LoginError, match="denied"):
        await run(grok, LoginIO(show=show), device=True)


async def test_grok_browser_login_sends_its_authorize_parameters(grok: Subscription) -> None:
    await run(grok, LoginIO(show=lambda text: None, open_browser=browser_follows), device=False)
    [asked] = grok.oauth.authorize_requests
    assert asked["plan"] == "generic" and urlsplit(asked["redirect_uri"]).hostname == "127.0.0.1"
    assert "grok-cli:access" in asked["scope"].split()


def test_flow_choice() -> None:
    codex, grok = discover()["codex"].oauth, discover()["grok"].oauth
    assert codex is not None and grok is not None
    assert (choose_flow(codex, None), choose_flow(codex, True), choose_flow(codex, False)) == (
        "callback",
        "device",
        "callback",
    )
    assert choose_flow(grok, None) == "device" and choose_flow(grok, False) == "callback"

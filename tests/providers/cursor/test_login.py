"""Cursor's login against the fake: the browser page and the poll (404 pending, then the
tokens), through `dragoman login`; its timeout, cancel and refused verifier; the refresh;
and the account in `dragoman status`. No token is ever printed."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from dragoman.auth.callback import LoginError
from dragoman.auth.endpoints import oauth_for
from dragoman.auth.login import LoginIO, login
from dragoman.auth.refresh import TokenKeeper
from dragoman.auth.store import CredentialStore
from dragoman.auth.tokens import new_client
from dragoman.config import load
from dragoman.ir.errors import AuthenticationFailed
from dragoman.providers.cursor import SPEC, auth
from dragoman.store import open_database
from dragoman.store.accounts import Account
from tests.auth.test_login import browser_follows
from tests.cli.test_login import run
from tests.fakes.cursor import USER_ID, CursorFake
from tests.providers.cursor.conftest import cursor_login, write_config
from tests.providers.kiro.conftest import store
from tests.subscriptions import database_url, stored_logins


@pytest.fixture(autouse=True)
def quick_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "FIRST_DELAY", 0.05)
    monkeypatch.setattr(auth, "MAX_DELAY", 0.1)


def _login(cursor: CursorFake, open_browser: object, shown: list[str] | None = None) -> Account:
    async def go() -> Account:
        oauth = oauth_for(SPEC, load(overrides={"oauth": cursor.settings()}))
        async with new_client() as client:
            io = LoginIO(show=(shown if shown is not None else []).append, open_browser=open_browser)
            return await login(SPEC, oauth, client, io, flow="callback", no_browser=False)

    return asyncio.run(go())


def test_dragoman_login_polls_until_the_browser_login_is_done(
    cursor: CursorFake, dragoman_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import webbrowser

    write_config(dragoman_home, cursor)
    monkeypatch.setattr(webbrowser, "open", browser_follows)
    result = run("login", "--provider", "cursor")
    assert result.exit_code == 0, result.output
    assert "loginDeepControl?challenge=" in result.output and "redirectTarget=cli" in result.output
    assert USER_ID in result.output and "Cursor: dragoman logs in" in result.output
    [account] = stored_logins(dragoman_home)
    # The `userId::` prefix is dropped: only the JWT is ever sent.
    assert account.access_token in cursor.access_tokens and account.refresh_token in cursor.refresh_tokens
    assert account.account_id == USER_ID
    assert account.expires_at == pytest.approx(time.time() + cursor.lifetime, abs=5)
    assert len(cursor.polls) >= 3 and cursor.pending_polls == 0  # 404s first, then the tokens
    assert account.access_token not in result.output and account.refresh_token not in result.output


def test_the_poll_proves_the_login_with_the_verifier_of_its_challenge(cursor: CursorFake) -> None:
    shown: list[str] = []
    _login(cursor, browser_follows, shown)
    [page] = [line for line in shown if "loginDeepControl?" in line]
    query = parse_qs(urlsplit(page.strip().split()[-1]).query)
    assert query["mode"] == ["login"] and query["uuid"] == [cursor.polls[-1]["uuid"]]
    assert len(query["challenge"][0]) == 43 and cursor.polls[-1]["verifier"] != query["challenge"][0]


def test_a_busy_cursor_does_not_end_the_login(cursor: CursorFake) -> None:
    cursor.poll_failures = [503, 429]
    account = _login(cursor, browser_follows)
    assert account.access_token in cursor.access_tokens and not cursor.poll_failures


def test_a_refused_verifier_is_a_clear_login_error(cursor: CursorFake) -> None:
    def forged(url: str) -> None:
        parts = urlsplit(url)
        query = {name: values[0] for name, values in parse_qs(parts.query).items()}
        browser_follows(parts._replace(query=urlencode({**query, "challenge": "forged"})).geturl())

    with pytest.raises(LoginError, match="verifier does not match"):
        _login(cursor, forged)


def test_a_login_never_finished_times_out(cursor: CursorFake, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "WAIT_SECONDS", 0.5)
    with pytest.raises(LoginError, match=r"not finished within 0\.5 s"):
        _login(cursor, None)  # nobody opens the page
    assert cursor.polls


def test_a_cancelled_login_stops_polling(cursor: CursorFake) -> None:
    async def go() -> None:
        oauth = oauth_for(SPEC, load(overrides={"oauth": cursor.settings()}))
        async with new_client() as client:
            task = asyncio.ensure_future(auth.poll_login(client, oauth, LoginIO(show=lambda _: None)))
            await asyncio.sleep(0.3)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

    asyncio.run(go())
    polls = len(cursor.polls)
    time.sleep(0.3)
    assert polls and len(cursor.polls) == polls


def _refresh(home: Path, cursor: CursorFake, account_id: int) -> Account:
    async def go() -> Account:
        database = await open_database(database_url(home))
        settings = load(overrides={"oauth": cursor.settings()})
        keeper = TokenKeeper(CredentialStore(database.engine, database.keys), settings)
        try:
            return await keeper.refresh(account_id, force=True)
        finally:
            await keeper.aclose()
            await database.close()

    return asyncio.run(go())


def test_a_login_is_refreshed_with_the_desktop_client_id(cursor: CursorFake, dragoman_home: Path) -> None:
    old = store(dragoman_home, cursor_login(cursor))
    fresh = _refresh(dragoman_home, cursor, old.id)
    [sent] = cursor.refreshes
    assert sent["grant_type"] == "refresh_token" and sent["refresh_token"] == old.refresh_token
    assert fresh.access_token in cursor.access_tokens and fresh.access_token != old.access_token
    assert fresh.refresh_token == old.refresh_token and fresh.account_id == USER_ID


@pytest.mark.parametrize("ending", ["unknown_token", "logout"])
def test_a_refresh_cursor_refuses_is_a_clear_error(
    cursor: CursorFake, dragoman_home: Path, ending: str
) -> None:
    old = store(dragoman_home, cursor_login(cursor))
    if ending == "logout":
        cursor.logout = True
    else:
        cursor.refresh_tokens.clear()
    with pytest.raises(AuthenticationFailed) as caught:
        _refresh(dragoman_home, cursor, old.id)
    assert "dragoman login --provider cursor" in caught.value.message
    assert (
        "invalid_grant" if ending == "unknown_token" else "Cursor ended this session"
    ) in caught.value.message


def test_status_shows_the_cursor_account(cursor: CursorFake, dragoman_home: Path) -> None:
    write_config(dragoman_home, cursor)
    account = store(dragoman_home, cursor_login(cursor))
    result = run("status")
    assert result.exit_code == 0, result.output
    assert "cursor" in result.output and USER_ID in result.output
    assert account.access_token not in result.output

"""Kiro's logins against the fake: the social login through the portal (PKCE, the
callback's login option), an API key added with `dragoman accounts add`, imports from
the Kiro CLI's SQLite store and the IDE's token file, and a refresh for each kind."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

import orjson
import pytest

from dragoman.auth.endpoints import oauth_for
from dragoman.auth.login import LoginIO, login
from dragoman.auth.refresh import TokenKeeper
from dragoman.auth.store import CredentialStore
from dragoman.auth.tokens import new_client
from dragoman.config import load
from dragoman.providers.kiro import SPEC
from dragoman.providers.kiro.credentials import read_official
from dragoman.providers.subscription import CredentialsError
from dragoman.store import open_database
from dragoman.store.accounts import Account
from tests.auth.test_login import browser_follows
from tests.cli.test_login import run
from tests.fakes.kiro import PROFILE_ARN, KiroFake
from tests.providers.kiro.conftest import social_login, store
from tests.subscriptions import database_url, stored_logins


def _settings(kiro: KiroFake):  # type: ignore[no-untyped-def]
    return load(overrides={"oauth": kiro.settings()})


def _config(home: Path, kiro: KiroFake) -> None:
    lines = ["detect_ollama = false", "[oauth.kiro]"]
    for key, value in kiro.settings()["kiro"].items():
        lines.append(f"{key} = {value}" if isinstance(value, int) else f'{key} = "{value}"')
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text("\n".join(lines) + "\n")


def test_the_social_login_goes_through_the_portal_with_pkce(kiro: KiroFake) -> None:
    shown: list[str] = []

    async def go() -> Account:
        async with new_client() as client:
            io = LoginIO(show=shown.append, open_browser=browser_follows)
            return await login(
                SPEC, oauth_for(SPEC, _settings(kiro)), client, io, flow="callback", no_browser=False
            )

    account = asyncio.run(go())
    assert any(
        "/signin?" in line and "code_challenge_method=S256" in line and "redirect_from=kirocli" in line
        for line in shown
    )
    assert account.access_token in kiro.access_tokens and account.refresh_token in kiro.refresh_tokens
    assert account.extra["login"] == "social" and account.extra["profile_arn"] == PROFILE_ARN
    assert account.account_id == "EHGA3GRVQMUK"
    assert account.base_url == "https://runtime.us-east-1.kiro.dev"
    assert account.expires_at == pytest.approx(time.time() + kiro.lifetime, abs=5)


def test_an_api_key_is_added_as_a_kiro_account(kiro: KiroFake, dragoman_home: Path) -> None:
    _config(dragoman_home, kiro)
    result = run("accounts", "add", "--provider", "kiro", "--base-url", kiro.url, input=kiro.key + "\n")
    assert result.exit_code == 0, result.output
    assert kiro.key not in result.output
    [account] = stored_logins(dragoman_home)
    assert (account.access_token, account.extra["login"], account.base_url) == (kiro.key, "api_key", kiro.url)


def test_a_key_from_a_variable_is_refused_for_kiro(dragoman_home: Path) -> None:
    result = run("accounts", "add", "--provider", "kiro", "--api-key-env", "KIRO_KEY")
    assert result.exit_code != 0 and "stored" in result.output


def _cli_store(path: Path, entries: dict[str, object]) -> Path:
    with sqlite3.connect(path) as database:
        database.execute("CREATE TABLE auth_kv (key TEXT PRIMARY KEY, value TEXT)")
        for key, value in entries.items():
            database.execute("INSERT INTO auth_kv VALUES (?, ?)", (key, orjson.dumps(value).decode()))
    return path


def _sso_tokens(kiro: KiroFake) -> dict[str, object]:
    tokens = kiro.new_tokens()
    return {
        "access_token": tokens["accessToken"],
        "refresh_token": tokens["refreshToken"],
        "expires_at": "2026-01-01T00:00:00.123456Z",
        "region": "us-east-1",
    }


def test_a_cli_sso_login_is_imported_with_its_registration(kiro: KiroFake, tmp_path: Path) -> None:
    registration = {"client_id": kiro.client_id, "client_secret": kiro.client_secret}
    path = _cli_store(
        tmp_path / "data.sqlite3",
        {"kirocli:odic:token": _sso_tokens(kiro), "kirocli:oidc:device-registration": registration},
    )
    account = read_official(path)
    assert account.extra["login"] == "idc" and account.extra["client_id"] == kiro.client_id
    assert account.access_token in kiro.access_tokens
    assert account.expires_at == pytest.approx(1767225600.123456)


def test_an_ide_social_login_is_imported(kiro: KiroFake, tmp_path: Path) -> None:
    tokens = kiro.new_tokens()
    ide = {**tokens, "expiresAt": "2030-01-01T00:00:00Z", "authMethod": "social", "provider": "Google"}
    path = tmp_path / "kiro-auth-token.json"
    path.write_bytes(orjson.dumps(ide))
    account = read_official(path)
    assert account.extra["login"] == "social" and account.extra["profile_arn"] == PROFILE_ARN
    assert account.refresh_token == tokens["refreshToken"]


def test_an_ide_idc_login_finds_its_registration_beside_it(kiro: KiroFake, tmp_path: Path) -> None:
    (tmp_path / "abc123.json").write_bytes(
        orjson.dumps({"clientId": kiro.client_id, "clientSecret": kiro.client_secret})
    )
    tokens = kiro.new_tokens()
    path = tmp_path / "kiro-auth-token.json"
    path.write_bytes(
        orjson.dumps({**tokens, "authMethod": "IdC", "clientIdHash": "abc123", "region": "us-east-1"})
    )
    account = read_official(path)
    assert account.extra["login"] == "idc" and account.extra["client_secret"] == kiro.client_secret


def test_a_store_without_a_login_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CredentialsError, match="no Kiro login"):
        read_official(_cli_store(tmp_path / "data.sqlite3", {"other": {}}))


def _refresh(home: Path, kiro: KiroFake, account_id: int) -> Account:
    async def go() -> Account:
        database = await open_database(database_url(home))
        keeper = TokenKeeper(CredentialStore(database.engine, database.keys), _settings(kiro))
        try:
            return await keeper.refresh(account_id, force=True)
        finally:
            await keeper.aclose()
            await database.close()

    return asyncio.run(go())


def test_a_social_login_is_refreshed_at_kiros_auth_service(kiro: KiroFake, dragoman_home: Path) -> None:
    old = store(dragoman_home, social_login(kiro))
    fresh = _refresh(dragoman_home, kiro, old.id)
    assert kiro.refreshes == 1 and fresh.access_token in kiro.access_tokens
    assert fresh.refresh_token != old.refresh_token and fresh.extra["profile_arn"] == PROFILE_ARN


def test_an_imported_sso_login_is_refreshed_at_aws_with_its_client(
    kiro: KiroFake, dragoman_home: Path, tmp_path: Path
) -> None:
    registration = {"clientId": kiro.client_id, "clientSecret": kiro.client_secret}
    path = _cli_store(
        tmp_path / "d.sqlite3",
        {"kirocli:oidc:token": _sso_tokens(kiro), "codewhisperer:oidc:device-registration": registration},
    )
    old = store(dragoman_home, read_official(path))
    fresh = _refresh(dragoman_home, kiro, old.id)
    assert kiro.refreshes == 1 and fresh.access_token in kiro.access_tokens and fresh.extra["login"] == "idc"


def test_an_api_key_has_nothing_to_refresh(kiro: KiroFake, dragoman_home: Path) -> None:
    from tests.providers.kiro.conftest import key_login

    stored = store(dragoman_home, key_login(kiro))
    assert _refresh(dragoman_home, kiro, stored.id).access_token == kiro.key and kiro.refreshes == 0


def test_a_refresh_completes_and_is_stored_when_its_request_leaves(
    kiro: KiroFake, dragoman_home: Path
) -> None:
    old = store(dragoman_home, social_login(kiro, expires_at=time.time() - 10))
    kiro.refresh_delay = 0.5

    async def go() -> None:
        database = await open_database(database_url(dragoman_home))
        keeper = TokenKeeper(CredentialStore(database.engine, database.keys), _settings(kiro))
        try:
            waiting = asyncio.ensure_future(keeper.fresh(old.id))
            await asyncio.sleep(0.2)  # the refresh is on its way to Kiro
            waiting.cancel()
            with pytest.raises(asyncio.CancelledError):
                await waiting
        finally:
            await keeper.aclose()  # lets the refresh land
            await database.close()

    asyncio.run(go())
    [account] = stored_logins(dragoman_home)
    assert kiro.refreshes == 1 and account.refresh_token != old.refresh_token
    assert account.access_token in kiro.access_tokens


def test_an_expired_token_refused_with_403_is_refreshed_and_sent_again(
    kiro: KiroFake, dragoman_home: Path, fakes
) -> None:  # type: ignore[no-untyped-def]
    import httpx

    from tests.gateway import serve_gateway

    store(dragoman_home, social_login(kiro))
    kiro.expire_tokens()  # Kiro forgot them; dragoman still thinks them fresh
    with serve_gateway(fakes, providers={}, oauth=kiro.settings()) as url:
        body = {"model": "claude-sonnet-4.5", "messages": [{"role": "user", "content": "Hi"}]}
        answer = httpx.post(f"{url}/v1/chat/completions", json=body, timeout=30)
    assert answer.status_code == 200, answer.text
    assert kiro.refreshes == 1


def test_dragoman_login_stores_the_kiro_account(
    kiro: KiroFake, dragoman_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import webbrowser

    _config(dragoman_home, kiro)
    monkeypatch.setattr(webbrowser, "open", browser_follows)
    result = run("login", "--provider", "kiro")
    assert result.exit_code == 0, result.output
    assert "kiro-EHGA3GRVQMUK" in result.output and "Kiro: dragoman calls the runtime" in result.output
    assert "plan KIRO PRO" in result.output
    [account] = stored_logins(dragoman_home)
    assert account.extra["login"] == "social" and account.access_token in kiro.access_tokens
    assert account.plan == "KIRO PRO" and kiro.usage_requests[-1].query["profileArn"] == PROFILE_ARN


def test_dragoman_import_kiro_reads_the_cli_store(
    kiro: KiroFake, dragoman_home: Path, tmp_path: Path
) -> None:
    _config(dragoman_home, kiro)
    tokens = kiro.new_tokens()
    path = _cli_store(tmp_path / "data.sqlite3", {"kirocli:social:token": tokens})
    result = run("import", "kiro", "--from", str(path))
    assert result.exit_code == 0, result.output
    [account] = stored_logins(dragoman_home)
    assert account.refresh_token == tokens["refreshToken"] and account.extra["imported_from"] == str(path)
    assert account.extra["login"] == "social" and account.plan == "KIRO PRO"


def test_a_pasted_callback_address_finishes_the_login_with_its_option(kiro: KiroFake) -> None:
    """The browser on another machine: the user pastes the address it ended on. The
    fake's exchange takes the code only with `login_option=google` in its redirect_uri."""
    from tests.auth.test_login import redirect_of

    pages: list[str] = []

    async def paste() -> str:
        while not pages:
            await asyncio.sleep(0.01)
        return await asyncio.to_thread(redirect_of, pages[0])

    async def go() -> Account:
        async with new_client() as client:
            io = LoginIO(show=lambda text: None, open_browser=pages.append, read_paste=paste)
            return await login(
                SPEC, oauth_for(SPEC, _settings(kiro)), client, io, flow="callback", no_browser=True
            )

    assert asyncio.run(go()).access_token in kiro.access_tokens

"""Cursor's login and refresh (runtimes.md §3g, Cursor).

    login     no loopback callback: a PKCE verifier, its S256 challenge and a UUID;
              the browser opens `cursor.com/loginDeepControl?challenge=..&uuid=..
              &mode=login&redirectTarget=cli`, and `GET api2.cursor.sh/auth/poll
              ?uuid=..&verifier=..` is polled: 404 while the user has not finished,
              200 `{accessToken, refreshToken, authId?}` once they have
    refresh   `POST api2.cursor.sh/oauth/token`, JSON `{client_id, grant_type:
              "refresh_token", refresh_token}` with the desktop app's public client id

Tokens may come as `userId::JWT` (the web cookie's form); only the JWT is kept, since
only it is ever sent. Answers become token responses (`access_token`, ...) for
`dragoman.auth.tokens.token_facts`.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import orjson

from dragoman.auth.callback import LoginError
from dragoman.auth.pkce import Pkce
from dragoman.auth.tokens import OAuthError, answer_json
from dragoman.observe import redact
from dragoman.providers.subscription import OAuthSpec
from dragoman.store.accounts import Account

if TYPE_CHECKING:
    import httpx

    from dragoman.auth.login import LoginIO

# How long a login waits for the browser, and how its polls are paced: the first
# after a second, each later one 1.2 times the last, at most 5 s apart.
WAIT_SECONDS = 600.0
FIRST_DELAY, BACKOFF, MAX_DELAY = 1.0, 1.2, 5.0


async def poll_login(client: httpx.AsyncClient, oauth: OAuthSpec, io: LoginIO) -> dict[str, Any]:
    """A token response from Cursor's browser login. Raises LoginError or OAuthError."""
    pkce, login_id = Pkce(), str(uuid.uuid4())
    url = login_url(oauth, pkce, login_id)
    io.show(f"Open this page to log in to Cursor:\n\n  {url}\n")
    if io.open_browser is not None:
        io.open_browser(url)
    io.show("Waiting for the login to finish in the browser (Ctrl-C gives up) ...")
    poll = f"{oauth.device_token_url}?{urlencode({'uuid': login_id, 'verifier': pkce.verifier})}"
    waited, delay = 0.0, FIRST_DELAY
    while waited < WAIT_SECONDS:
        await io.sleep(delay)
        waited += delay
        answer = await _poll_once(client, poll)
        if answer is not None:
            return token_answer(answer)
        delay = min(delay * BACKOFF, MAX_DELAY)
    raise LoginError(f"the Cursor login was not finished within {WAIT_SECONDS:g} s")


def login_url(oauth: OAuthSpec, pkce: Pkce, login_id: str) -> str:
    params = {"challenge": pkce.challenge, "uuid": login_id, "mode": "login", "redirectTarget": "cli"}
    return f"{oauth.authorize_url}?{urlencode(params)}"


async def _poll_once(client: httpx.AsyncClient, url: str) -> dict[str, Any] | None:
    """The tokens once the login is done; None while it is pending (404), or while
    Cursor is busy (429, 5xx): one bad answer must not end a login the user is finishing."""
    response = await _send(client, "GET", url, None)
    if response.status_code in (404, 429) or response.status_code >= 500:
        return None
    return answer_json(response, url)


async def refresh(client: httpx.AsyncClient, oauth: OAuthSpec, account: Account) -> dict[str, Any]:
    """The account's refresh as a token response. Raises OAuthError."""
    if not account.refresh_token:
        raise OAuthError("the Cursor login has no refresh token: log in again", permanent=True)
    data = {"client_id": oauth.client_id, "grant_type": "refresh_token"}
    data["refresh_token"] = account.refresh_token
    response = await _send(client, "POST", oauth.token_url, orjson.dumps(data))
    answer = answer_json(response, oauth.token_url)
    if answer.get("shouldLogout") is True:
        # Cursor's way of saying the session is over: no retry will bring it back.
        raise OAuthError("Cursor ended this session: log in again", permanent=True)
    return token_answer(answer)


async def _send(client: httpx.AsyncClient, method: str, url: str, content: bytes | None) -> httpx.Response:
    import httpx  # loaded already: `client` is one

    headers = {"accept": "application/json"}
    if content is not None:
        headers["content-type"] = "application/json"
    try:
        return await client.request(method, url, content=content, headers=headers)
    except httpx.HTTPError as error:
        from dragoman.providers import failures, httpx_pool

        raise OAuthError(
            failures.unreachable_as("Cursor's login server", url, error, httpx_pool.BEFORE)
        ) from None


def token_answer(answer: dict[str, Any]) -> dict[str, Any]:
    """A Cursor answer (camelCase or snake_case) as a token response; OAuthError without a token."""
    access = jwt_part(_field(answer, "accessToken", "access_token"))
    if not access:
        raise OAuthError("Cursor's login server answered without an access token")
    found = {
        "access_token": access,
        "refresh_token": jwt_part(_field(answer, "refreshToken", "refresh_token")),
        "auth_id": _field(answer, "authId", "auth_id"),
    }
    redact.register(value for value in (found["access_token"], found["refresh_token"]) if value)
    return {key: value for key, value in found.items() if value is not None}


def jwt_part(token: str | None) -> str | None:
    """The JWT of a `userId::JWT` token (also URL-encoded, `%3A%3A`); others as they are."""
    if token is None:
        return None
    for separator in ("::", "%3A%3A"):
        if separator in token:
            return token.rpartition(separator)[2] or None
    return token


def _field(answer: dict[str, Any], *names: str) -> str | None:
    for name in names:
        value = answer.get(name)
        if isinstance(value, str) and value:
            return value
    return None

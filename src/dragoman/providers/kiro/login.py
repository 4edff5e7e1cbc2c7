"""Kiro's social login (Google, GitHub) through its portal, with PKCE (oauth.md §5.1).

The browser opens `app.kiro.dev/signin` with the challenge and a loopback `redirect_uri`;
the portal sends it back to `http://localhost:<port>/oauth/callback?code=..&state=..&login_option=google`.
The code is exchanged at Kiro's auth service (`/oauth/token`, JSON `{code, code_verifier,
redirect_uri}`), where `redirect_uri` is the callback as it came, login option included.
The address the browser ends on may be pasted instead (a browser on another machine).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode, urlsplit

from dragoman.auth.callback import CallbackListener, LoginError
from dragoman.auth.login import LoginIO, first_code
from dragoman.auth.pkce import Pkce, new_state
from dragoman.providers.kiro.auth import SOCIAL, in_region, post_json, token_answer
from dragoman.providers.kiro.region import DEFAULT_REGION
from dragoman.providers.subscription import OAuthSpec

if TYPE_CHECKING:
    import httpx


async def social_login(client: httpx.AsyncClient, oauth: OAuthSpec, io: LoginIO) -> dict[str, Any]:
    pkce, state = Pkce(), new_state()
    try:
        listener = await CallbackListener.start(oauth.redirect_port, oauth.redirect_path, state)
    except OSError as error:
        raise LoginError(
            f"cannot listen on port {oauth.redirect_port} for the login: {error.strerror}"
        ) from None
    redirect = f"http://{oauth.redirect_host}:{listener.port}"
    try:
        url = portal_url(oauth, redirect, pkce, state)
        io.show(f"Open this page to log in with Google or GitHub:\n\n  {url}\n")
        if io.open_browser is not None:
            io.open_browser(url)
        if io.read_paste is not None:
            io.show("Then paste the address the browser ends on, or wait here.")
        pasted: list[str] = []
        code = await first_code(listener, _remembering(io, pasted), state)
        option = _login_option(listener.query, pasted)
    finally:
        await listener.close()
    callback = redirect + oauth.redirect_path + (f"?{urlencode({'login_option': option})}" if option else "")
    data = {"code": code, "code_verifier": pkce.verifier, "redirect_uri": callback}
    answer = token_answer(await post_json(client, in_region(oauth.token_url, DEFAULT_REGION), data, state))
    return {**answer, "login": SOCIAL, "auth_region": DEFAULT_REGION}


def _remembering(io: LoginIO, pasted: list[str]) -> LoginIO:
    """`io`, its pastes also kept in `pasted`: the login option is in the pasted address."""
    read = io.read_paste
    if read is None:
        return io

    async def remember() -> str:
        text = await read()
        pasted.append(text)
        return text

    return replace(io, read_paste=remember)


def _login_option(query: dict[str, list[str]], pasted: list[str]) -> str:
    """`google` or `github`, from the callback that arrived or the address pasted."""
    if not query and pasted:
        query = parse_qs(urlsplit(pasted[-1].strip()).query)
    return (query.get("login_option") or [""])[0]


def portal_url(oauth: OAuthSpec, redirect: str, pkce: Pkce, state: str) -> str:
    params = {
        "state": state,
        "code_challenge": pkce.challenge,
        "code_challenge_method": pkce.method,
        "redirect_uri": redirect,
        **oauth.authorize_params,
    }
    return f"{oauth.authorize_url}?{urlencode(params)}"

"""Kiro's social login (Google, GitHub) through its portal, with PKCE (oauth.md §5.1).

The browser opens `app.kiro.dev/signin` with the challenge and a loopback `redirect_uri`;
the portal sends it back to `http://localhost:<port>/oauth/callback?code=..&state=..&login_option=google`.
The code is exchanged at Kiro's auth service (`/oauth/token`, JSON `{code, code_verifier,
redirect_uri}`), where `redirect_uri` is the callback as it came, login option included.
The address the browser ends on may be pasted instead (a browser on another machine).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

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
        code = await first_code(listener, io, state)
        option = (listener.query.get("login_option") or [""])[0]
    finally:
        await listener.close()
    callback = redirect + oauth.redirect_path + (f"?{urlencode({'login_option': option})}" if option else "")
    data = {"code": code, "code_verifier": pkce.verifier, "redirect_uri": callback}
    answer = token_answer(await post_json(client, in_region(oauth.token_url, DEFAULT_REGION), data, state))
    return {**answer, "login": SOCIAL, "auth_region": DEFAULT_REGION}


def portal_url(oauth: OAuthSpec, redirect: str, pkce: Pkce, state: str) -> str:
    params = {
        "state": state,
        "code_challenge": pkce.challenge,
        "code_challenge_method": pkce.method,
        "redirect_uri": redirect,
        **oauth.authorize_params,
    }
    return f"{oauth.authorize_url}?{urlencode(params)}"

"""A whole login, from the first URL shown to the token response.

Browser logins listen on the provider's registered loopback port and, at the same
time, accept the redirected URL or code pasted at the prompt: whichever arrives first
wins (the paste is how a login finishes when the browser runs on another machine).
With `no_browser` and a provider code page (`paste_redirect_uri`), the provider shows
the code itself and only the paste is awaited. Device logins show a code to confirm.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from dragoman.auth.callback import CallbackListener, LoginError
from dragoman.auth.device import DeviceCode, device_login
from dragoman.auth.exchange import exchange
from dragoman.auth.paste import PasteError, check_state, parse_paste
from dragoman.auth.pkce import Pkce, new_state
from dragoman.auth.rows import TOKEN_COLUMNS
from dragoman.auth.tokens import OAuthError, exchange_code, token_facts
from dragoman.providers.spec import ProviderSpec
from dragoman.providers.subscription import Flow, OAuthSpec
from dragoman.store.accounts import Account

if TYPE_CHECKING:
    import httpx

WAIT_SECONDS = 600.0

ReadPaste = Callable[[], Awaitable[str]]


@dataclass(slots=True)
class LoginIO:
    """How a login talks to its user: lines to show, a browser to open (None: print
    only), and pasted input (None: the listener alone)."""

    show: Callable[[str], None]
    open_browser: Callable[[str], object] | None = None
    read_paste: ReadPaste | None = None
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep


def choose_flow(oauth: OAuthSpec, device: bool | None) -> Flow:
    """`device` True or False asks for that kind of login; None: the provider's first."""
    browser = [flow for flow in oauth.flows if flow != "device"]
    if device is None:
        return oauth.flows[0]
    if device:
        if "device" not in oauth.flows or not oauth.device_url:
            raise LoginError("this provider offers no device-code login")
        return "device"
    if not browser:
        raise LoginError("this provider logs in with a device code only")
    return browser[0]


async def login(
    spec: ProviderSpec,
    oauth: OAuthSpec,
    client: httpx.AsyncClient,
    io: LoginIO,
    *,
    flow: Flow,
    no_browser: bool,
) -> Account:
    """A logged-in account, not yet stored."""
    try:
        runtime = spec.runtime
        own = await runtime.login(client, oauth, io, no_browser, flow) if runtime is not None else None
        if own is not None:
            return account_from_facts(spec.kind, token_facts(spec, own))
        if flow == "device":
            answer = await device_login(
                client, oauth, lambda code: show_device(io, code, no_browser), io.sleep
            )
        else:
            answer = await browser_login(
                client, oauth, io, paste_page=no_browser and bool(oauth.paste_redirect_uri)
            )
        if oauth.exchange_url:
            # The login's token only mints the ones requests carry: mint the first now,
            # so a login without the subscription is told at once.
            answer = await exchange(client, oauth, answer["access_token"])
    except OAuthError as error:
        raise LoginError(error.message) from None
    return account_from_facts(spec.kind, token_facts(spec, answer))


def account_from_facts(kind: str, facts: dict[str, Any]) -> Account:
    """An unsaved account from `token_facts`; facts with no column of their own go to `extra`."""
    # A login may say where its backend is (Copilot's API host for the account's plan).
    columns = {name: facts[name] for name in (*TOKEN_COLUMNS, "base_url") if name in facts}
    extra = {name: value for name, value in facts.items() if name not in columns}
    return Account(provider=kind, auth="oauth", refreshed_at=time.time(), extra=extra, **columns)


def authorize_url(oauth: OAuthSpec, redirect_uri: str, pkce: Pkce, state: str) -> str:
    if not oauth.authorize_url:
        raise LoginError("this provider has no browser login")
    params = {
        "response_type": "code",
        "client_id": oauth.client_id,
        "redirect_uri": redirect_uri,
        "scope": " ".join(oauth.scopes),
        "code_challenge": pkce.challenge,
        "code_challenge_method": pkce.method,
        **oauth.authorize_params,
        "state": state,
    }
    separator = "&" if "?" in oauth.authorize_url else "?"
    return oauth.authorize_url + separator + urlencode(params)


async def browser_login(
    client: httpx.AsyncClient, oauth: OAuthSpec, io: LoginIO, *, paste_page: bool
) -> dict[str, Any]:
    pkce, state = Pkce(), new_state()
    listener = None if paste_page else await _listen(oauth, state, pasting=io.read_paste is not None)
    redirect_uri = oauth.paste_redirect_uri if paste_page else _loopback(oauth, listener)
    assert redirect_uri is not None
    url = authorize_url(oauth, redirect_uri, pkce, state)
    try:
        io.show(f"Open this page to log in:\n\n  {url}\n")
        if io.open_browser is not None:
            io.open_browser(url)
        if io.read_paste is not None:
            io.show("Then paste the address the browser ends on (or the code shown), or wait here.")
        code = await first_code(listener, io, state)
    finally:
        if listener is not None:
            await listener.close()
    return await exchange_code(client, oauth, code, redirect_uri, pkce.verifier, state)


async def _listen(oauth: OAuthSpec, state: str, *, pasting: bool) -> CallbackListener | None:
    try:
        return await CallbackListener.start(oauth.redirect_port, oauth.redirect_path, state)
    except OSError as error:
        if not pasting:
            raise LoginError(
                f"cannot listen on port {oauth.redirect_port} for the login: {error.strerror}"
            ) from None
        return None  # the paste alone finishes this login


def _loopback(oauth: OAuthSpec, listener: CallbackListener | None) -> str:
    port = listener.port if listener is not None else oauth.redirect_port
    return f"http://{oauth.redirect_host}:{port}{oauth.redirect_path}"


async def first_code(listener: CallbackListener | None, io: LoginIO, state: str) -> str:
    """The code from the listener or the paste, whichever comes first."""
    waiters = [asyncio.ensure_future(listener.wait())] if listener is not None else []
    if io.read_paste is not None:
        waiters.append(asyncio.ensure_future(_pasted_code(io, state)))
    if not waiters:
        raise LoginError("no way to receive the login: no listener and no paste")
    try:
        done, _ = await asyncio.wait(waiters, timeout=WAIT_SECONDS, return_when=asyncio.FIRST_COMPLETED)
        if not done:
            raise LoginError(f"no login arrived within {WAIT_SECONDS:g} s")
        winner = done.pop()
        if winner is waiters[0] and len(waiters) > 1:
            io.show("")  # the browser won: end the line the paste prompt left open
        return winner.result()
    finally:
        for waiter in waiters:
            waiter.cancel()
        await asyncio.gather(*waiters, return_exceptions=True)


async def _pasted_code(io: LoginIO, state: str) -> str:
    """Read pastes until one holds this login's code (a bad one is said and re-asked)."""
    assert io.read_paste is not None
    while True:
        text = await io.read_paste()
        try:
            return check_state(parse_paste(text), state)
        except PasteError as error:
            io.show(f"{error}. Paste again, or press Ctrl-C to give up.")


def show_device(io: LoginIO, code: DeviceCode, no_browser: bool) -> None:
    io.show(f"Open {code.verification_uri} and enter the code:\n\n  {code.user_code}\n")
    if code.complete_uri and io.open_browser is not None and not no_browser:
        io.open_browser(code.complete_uri)
    io.show("Waiting for the login to be confirmed ...")


def console_paste(prompt: str) -> ReadPaste:
    """Lines typed at the terminal, read in a daemon thread so that a login won by the
    listener never waits for Enter (and a closed stdin just never answers)."""

    async def read() -> str:
        loop = asyncio.get_running_loop()
        line: asyncio.Future[str] = loop.create_future()

        def deliver(text: str) -> None:
            if not line.done():
                line.set_result(text)

        def worker() -> None:
            # RuntimeError: the loop closed before anything was typed.
            with contextlib.suppress(EOFError, OSError, ValueError, RuntimeError):
                text = input(prompt)
                loop.call_soon_threadsafe(deliver, text)

        threading.Thread(target=worker, name="dragoman-paste", daemon=True).start()
        return await line

    return read

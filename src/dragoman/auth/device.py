"""Device-code logins: the user confirms a short code on any device while dragoman
polls, at the pace the server asks, until it answers, refuses or the code expires.

Two styles (OAuthSpec.device_style):
- "rfc8628" (xAI): `device_url` issues `device_code` + `user_code`; `token_url` is
  polled with the device_code grant; `authorization_pending` waits, `slow_down` adds
  5 s, anything else ends the login.
- "openai" (Codex, oauth.md §1.5): `device_url` issues `device_auth_id` + `user_code`
  (JSON); `device_token_url` answers 403/404 while pending, then an authorization code
  and the server's own PKCE verifier, exchanged at `token_url` with
  `device_redirect_uri`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dragoman.auth.callback import LoginError
from dragoman.auth.tokens import OAuthError, answer_json, exchange_code, post, token_request
from dragoman.providers.subscription import OAuthSpec

if TYPE_CHECKING:
    import httpx

DEFAULT_INTERVAL = 5.0
DEFAULT_EXPIRY = 15 * 60.0
MAX_WAIT = 30 * 60.0
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


@dataclass(frozen=True, slots=True)
class DeviceCode:
    """What the user is shown: where to go and the code to type there."""

    verification_uri: str
    user_code: str
    complete_uri: str | None = None


Show = Callable[[DeviceCode], None]
Sleep = Callable[[float], Awaitable[None]]


async def device_login(
    client: httpx.AsyncClient, oauth: OAuthSpec, show: Show, sleep: Sleep = asyncio.sleep
) -> dict[str, Any]:
    """The token response of a completed device login; LoginError otherwise."""
    if not oauth.device_url:
        raise LoginError("this provider offers no device-code login")
    flow = _openai if oauth.device_style == "openai" else _rfc8628
    try:
        return await flow(client, oauth, show, sleep)
    except OAuthError as error:
        raise LoginError(error.message) from None


async def _rfc8628(client: httpx.AsyncClient, oauth: OAuthSpec, show: Show, sleep: Sleep) -> dict[str, Any]:
    assert oauth.device_url is not None
    issued = answer_json(
        await post(client, oauth.device_url, {"client_id": oauth.client_id, "scope": " ".join(oauth.scopes)}),
        oauth.device_url,
    )
    device_code, user_code = issued.get("device_code"), issued.get("user_code")
    where = issued.get("verification_uri") or issued.get("verification_url") or oauth.verification_url
    if not isinstance(device_code, str) or not isinstance(user_code, str) or not where:
        raise LoginError("the device-code answer lacks a device code, user code or verification page")
    show(DeviceCode(str(where), user_code, issued.get("verification_uri_complete")))
    interval = seconds_of(issued.get("interval"), DEFAULT_INTERVAL)
    deadline = time.monotonic() + min(seconds_of(issued.get("expires_in"), DEFAULT_EXPIRY), MAX_WAIT)
    while time.monotonic() < deadline:
        await sleep(interval)
        try:
            return await token_request(
                client, oauth, {"grant_type": DEVICE_GRANT, "device_code": device_code}
            )
        except OAuthError as error:
            if error.code == "slow_down":
                interval += 5.0
            elif error.code != "authorization_pending":
                raise LoginError(refused_reason(error)) from None
    raise LoginError("the device code expired before the login was confirmed; start again")


async def _openai(client: httpx.AsyncClient, oauth: OAuthSpec, show: Show, sleep: Sleep) -> dict[str, Any]:
    assert oauth.device_url is not None
    response = await post(client, oauth.device_url, {"client_id": oauth.client_id}, as_json=True)
    if response.status_code == 404:
        raise LoginError("device-code login is not enabled for this client; log in with the browser")
    issued = answer_json(response, oauth.device_url)
    device_id, user_code = issued.get("device_auth_id"), issued.get("user_code") or issued.get("usercode")
    if not isinstance(device_id, str) or not isinstance(user_code, str):
        raise LoginError("the device-code answer lacks a device id or user code")
    show(DeviceCode(oauth.verification_url or oauth.device_url, user_code))
    granted = await _poll_openai(client, oauth, device_id, user_code, issued, sleep)
    code, verifier = granted.get("authorization_code"), granted.get("code_verifier")
    if not isinstance(code, str) or not isinstance(verifier, str):
        raise LoginError("the device login answered without an authorization code")
    redirect = oauth.device_redirect_uri or ""
    return await exchange_code(client, oauth, code, redirect, verifier, state="")


async def _poll_openai(
    client: httpx.AsyncClient,
    oauth: OAuthSpec,
    device_id: str,
    user_code: str,
    issued: dict[str, Any],
    sleep: Sleep,
) -> dict[str, Any]:
    url = oauth.device_token_url or oauth.device_url or ""
    interval = seconds_of(issued.get("interval"), DEFAULT_INTERVAL)
    deadline = time.monotonic() + DEFAULT_EXPIRY
    while time.monotonic() < deadline:
        await sleep(interval)
        response = await post(
            client, url, {"device_auth_id": device_id, "user_code": user_code}, as_json=True
        )
        if response.status_code in (403, 404):
            continue  # not confirmed yet
        return answer_json(response, url)
    raise LoginError("the device code expired before the login was confirmed; start again")


def seconds_of(value: Any, default: float) -> float:
    """A server's seconds, sent as a number or (OpenAI) a string; the default if neither."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return default
    return seconds if seconds >= 0 and seconds == seconds else default


def refused_reason(error: OAuthError) -> str:
    if error.code == "access_denied":
        return "the login was denied on the verification page"
    if error.code == "expired_token":
        return "the device code expired before the login was confirmed; start again"
    return error.message

"""Kiro's AWS Builder ID login (`dragoman login --provider kiro --device`): AWS SSO
OIDC's device authorization (oauth.md §5.2), JSON in camelCase at
`https://oidc.{region}.amazonaws.com`:

    POST /client/register       {clientName, clientType: "public", scopes, grantTypes, issuerUrl}
                                -> {clientId, clientSecret, clientSecretExpiresAt}
    POST /device_authorization  {clientId, clientSecret, startUrl}
                                -> {deviceCode, userCode, verificationUri(Complete), interval, expiresIn}
    POST /token                 {grantType: device_code, deviceCode, clientId, clientSecret},
                                polled: 400 authorization_pending / slow_down while the user
                                confirms, expired_token or access_denied to stop;
                                then {accessToken, refreshToken, expiresIn}

The registration (client id and secret) is kept with the login: its refresh is AWS's
(`auth.py`, `idc`). Builder ID gives no profile ARN: the runtime serves it without one.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from dragoman.auth.callback import LoginError
from dragoman.auth.device import (
    DEFAULT_EXPIRY,
    DEFAULT_INTERVAL,
    DEVICE_GRANT,
    MAX_WAIT,
    DeviceCode,
    refused_reason,
    seconds_of,
)
from dragoman.auth.tokens import OAuthError
from dragoman.observe import redact
from dragoman.providers.kiro.auth import IDC, in_region, post_json, token_answer
from dragoman.providers.kiro.region import DEFAULT_REGION
from dragoman.providers.subscription import OAuthSpec

if TYPE_CHECKING:
    import httpx

    from dragoman.auth.login import LoginIO

START_URL = "https://view.awsapps.com/start"  # Builder ID's own start page
SCOPES = (
    "codewhisperer:completions",
    "codewhisperer:analysis",
    "codewhisperer:conversations",
    "codewhisperer:transformations",
    "codewhisperer:taskassist",
)
CLIENT_NAME = "dragoman"


async def builder_id_login(
    client: httpx.AsyncClient, oauth: OAuthSpec, io: LoginIO, no_browser: bool
) -> dict[str, Any]:
    """The token response of a confirmed Builder ID login, its registration with it.
    Raises LoginError or OAuthError."""
    from dragoman.auth.login import show_device

    if not oauth.device_url or not oauth.device_token_url:
        raise LoginError("this provider offers no device-code login")
    region = DEFAULT_REGION
    device_url = in_region(oauth.device_url, region)
    client_id, secret = await _register(client, device_url)
    data = {"clientId": client_id, "clientSecret": secret, "startUrl": START_URL}
    issued = await post_json(client, device_url, data, None)
    code, user_code = issued.get("deviceCode"), issued.get("userCode")
    where = issued.get("verificationUri")
    if not isinstance(code, str) or not isinstance(user_code, str) or not isinstance(where, str):
        raise LoginError("AWS's device authorization lacks a device code, user code or page")
    show_device(io, DeviceCode(where, user_code, issued.get("verificationUriComplete")), no_browser)
    token_url = in_region(oauth.device_token_url, region)
    answer = await _poll(client, io, token_url, {**data, "deviceCode": code}, issued)
    facts = {"login": IDC, "auth_region": region, "client_id": client_id, "client_secret": secret}
    return {**token_answer(answer), **facts}


async def _register(client: httpx.AsyncClient, device_url: str) -> tuple[str, str]:
    """A public client of AWS's OIDC server for this login: (client id, secret)."""
    url = device_url.rsplit("/", 1)[0] + "/client/register"
    registration = {
        "clientName": CLIENT_NAME,
        "clientType": "public",
        "scopes": list(SCOPES),
        "grantTypes": [DEVICE_GRANT, "refresh_token"],
        "issuerUrl": START_URL,
    }
    answer = await post_json(client, url, registration, None)
    client_id, secret = answer.get("clientId"), answer.get("clientSecret")
    if not isinstance(client_id, str) or not isinstance(secret, str):
        raise LoginError("AWS's OIDC server registered no client id and secret")
    redact.register([secret])
    return client_id, secret


async def _poll(
    client: httpx.AsyncClient, io: LoginIO, url: str, data: dict[str, str], issued: dict[str, Any]
) -> dict[str, Any]:
    interval = seconds_of(issued.get("interval"), DEFAULT_INTERVAL)
    deadline = time.monotonic() + min(seconds_of(issued.get("expiresIn"), DEFAULT_EXPIRY), MAX_WAIT)
    grant = {"grantType": DEVICE_GRANT, "deviceCode": data["deviceCode"]}
    secrets = {"clientId": data["clientId"], "clientSecret": data["clientSecret"]}
    while time.monotonic() < deadline:
        await io.sleep(interval)
        try:
            return await post_json(client, url, {**grant, **secrets}, None)
        except OAuthError as error:
            if error.code == "slow_down":
                interval += 5.0
            elif error.code != "authorization_pending":
                raise LoginError(refused_reason(error)) from None
    raise LoginError("the device code expired before the login was confirmed; start again")

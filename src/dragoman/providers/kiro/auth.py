"""Kiro's three kinds of login and how each is refreshed (oauth.md §5, runtimes.md §3g).

    social    Google or GitHub through Kiro's portal (`login.py`): refreshed at
              `prod.{region}.auth.desktop.kiro.dev/refreshToken`, JSON `{"refreshToken"}`
    idc       AWS Builder ID / IAM Identity Center (imported from the Kiro CLI or IDE):
              refreshed at `oidc.{region}.amazonaws.com/token` with the device
              registration's client id and secret, JSON in camelCase
    api_key   a Kiro API key (`dragoman accounts add --provider kiro --api-key`): sent as
              the bearer token with `tokentype: API_KEY`; nothing to refresh

Answers are camelCase (`accessToken`, `refreshToken`, `expiresIn`, `profileArn`); a
refresh that sends no new refresh token keeps the old one. Each becomes a token
response (`access_token`, ...) for `dragoman.auth.tokens.token_facts`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson

from dragoman.auth.tokens import OAuthError, answer_json
from dragoman.observe import redact
from dragoman.providers.kiro.client import user_agents
from dragoman.providers.kiro.region import DEFAULT_REGION
from dragoman.providers.subscription import OAuthSpec
from dragoman.store.accounts import Account

if TYPE_CHECKING:
    import httpx

SOCIAL, IDC, API_KEY = "social", "idc", "api_key"
REFRESH_PATH = "/refreshToken"
TOKEN_PATH = "/oauth/token"


async def refresh(client: httpx.AsyncClient, oauth: OAuthSpec, account: Account) -> dict[str, Any]:
    """The account's refresh as a token response. Raises OAuthError."""
    login = account.extra.get("login", SOCIAL)
    if login == API_KEY:
        # A key does not expire; a refused one stays refused (the pool judges the answer).
        return {"access_token": account.access_token or ""}
    if not account.refresh_token:
        raise OAuthError("the Kiro login has no refresh token", permanent=True)
    region = str(account.extra.get("auth_region") or DEFAULT_REGION)
    if login == IDC:
        return await _idc_refresh(client, oauth, account, region)
    url = in_region(oauth.token_url, region).replace(TOKEN_PATH, REFRESH_PATH)
    answer = await post_json(client, url, {"refreshToken": account.refresh_token}, account.label)
    return token_answer(answer)


async def _idc_refresh(
    client: httpx.AsyncClient, oauth: OAuthSpec, account: Account, region: str
) -> dict[str, Any]:
    client_id, secret = account.extra.get("client_id"), account.extra.get("client_secret")
    if not isinstance(client_id, str) or not isinstance(secret, str):
        raise OAuthError("the Kiro login has no client registration to refresh with", permanent=True)
    redact.register([secret])
    data = {"grantType": "refresh_token", "clientId": client_id, "clientSecret": secret}
    url = in_region(oauth.device_token_url or "", region)
    answer = await post_json(client, url, {**data, "refreshToken": account.refresh_token or ""}, None)
    return token_answer(answer)


async def post_json(
    client: httpx.AsyncClient, url: str, data: dict[str, Any], seed: str | None
) -> dict[str, Any]:
    """A JSON POST to one of Kiro's token endpoints, as the IDE sends it. Raises OAuthError."""
    import httpx  # loaded already: `client` is one

    headers = {"accept": "application/json", "content-type": "application/json"}
    if seed is not None:
        headers["user-agent"] = user_agents(seed)["user-agent"]
    try:
        response = await client.post(url, content=orjson.dumps(data), headers=headers)
    except httpx.HTTPError as error:
        from dragoman.providers import failures, httpx_pool

        raise OAuthError(
            failures.unreachable_as("Kiro's login server", url, error, httpx_pool.BEFORE)
        ) from None
    return answer_json(response, url)


def token_answer(answer: dict[str, Any]) -> dict[str, Any]:
    """A Kiro answer (camelCase, or snake_case) as a token response; OAuthError without a token."""
    access = _field(answer, "accessToken", "access_token")
    if not access:
        raise OAuthError("Kiro's login server answered without an access token")
    found = {
        "access_token": access,
        "refresh_token": _field(answer, "refreshToken", "refresh_token"),
        "expires_in": answer.get("expiresIn", answer.get("expires_in")),
        "profile_arn": _field(answer, "profileArn", "profile_arn"),
    }
    redact.register(value for value in (found["access_token"], found["refresh_token"]) if value)
    return {key: value for key, value in found.items() if value is not None}


def in_region(url: str, region: str) -> str:
    return url.replace("{region}", region)


def _field(answer: dict[str, Any], *names: str) -> str | None:
    for name in names:
        value = answer.get(name)
        if isinstance(value, str) and value:
            return value
    return None

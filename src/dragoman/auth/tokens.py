"""Token requests to a provider's OAuth server, and what a token response says.

Every request is a POST to the (possibly overridden) token, device or revoke URL, as
form or JSON per the kind's `token_format`. Failures become `OAuthError`, marked
permanent when only a new login can help (an expired, reused or revoked refresh token:
OpenAI's codes and OAuth's `invalid_grant`), transient otherwise (5xx, 429, network).
"""

from __future__ import annotations

import base64
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import orjson

from dragoman.observe import redact
from dragoman.providers.spec import ProviderSpec
from dragoman.providers.subscription import OAuthSpec

if TYPE_CHECKING:
    import httpx

TIMEOUT = 30.0

# Error codes after which the refresh token is dead (oauth.md §1.6, RFC 6749 §5.2).
PERMANENT_CODES = frozenset(
    {
        "invalid_grant",
        "invalid_client",
        "unauthorized_client",
        "refresh_token_expired",
        "refresh_token_reused",
        "refresh_token_invalidated",
        "token_expired",
    }
)


class OAuthError(Exception):
    """A failed token request. `code` is the server's error code, if it gave one."""

    def __init__(self, message: str, *, code: str | None = None, permanent: bool = False) -> None:
        super().__init__(redact.redact(message))
        self.message = redact.redact(message)
        self.code = code
        self.permanent = permanent


def new_client(proxy: str | None = None) -> httpx.AsyncClient:
    """A client for OAuth servers: the configured proxy only, never the environment's."""
    import httpx  # ~7 MiB, loaded by the first login or refresh only

    return httpx.AsyncClient(timeout=TIMEOUT, proxy=proxy or None, trust_env=False)


async def post(
    client: httpx.AsyncClient, url: str, data: Mapping[str, str], *, as_json: bool = False
) -> httpx.Response:
    """POST `data` as form or JSON; transport failures become a transient OAuthError."""
    import httpx  # loaded already: `client` is one

    headers = {"accept": "application/json"}
    try:
        if as_json:
            return await client.post(url, content=orjson.dumps(dict(data)), headers=headers | _JSON)
        return await client.post(url, data=dict(data), headers=headers)
    except httpx.HTTPError as error:
        from dragoman.providers import failures, httpx_pool

        raise OAuthError(failures.unreachable_as("the login server", url, error, httpx_pool.BEFORE)) from None


async def token_request(client: httpx.AsyncClient, oauth: OAuthSpec, data: dict[str, str]) -> dict[str, Any]:
    """A token endpoint call: the JSON answer, its secrets registered for masking."""
    data = {**data, "client_id": oauth.client_id}
    if oauth.client_secret:
        data["client_secret"] = oauth.client_secret
    response = await post(client, oauth.token_url, data, as_json=oauth.token_format == "json")
    answer = answer_json(response, oauth.token_url)
    if isinstance(answer.get("error"), str):
        # GitHub answers 200 with an error code while a device login is pending.
        raise failure(response.status_code, answer, oauth.token_url)
    if not isinstance(answer.get("access_token"), str) or not answer["access_token"]:
        raise OAuthError(f"{_host(oauth.token_url)} answered without an access token")
    redact.register(
        str(answer[name]) for name in ("access_token", "refresh_token", "id_token") if answer.get(name)
    )
    return answer


def answer_json(response: httpx.Response, url: str) -> dict[str, Any]:
    """The response's JSON object, or the OAuthError its status and body describe."""
    try:
        body = orjson.loads(response.content) if response.content else {}
    except orjson.JSONDecodeError:
        body = None
    if response.status_code >= 400 or not isinstance(body, dict):
        raise failure(response.status_code, body, url)
    return body


def failure(status: int, body: Any, url: str) -> OAuthError:
    code, detail = error_code(body)
    permanent = status == 401 or (status < 500 and status != 429 and code in PERMANENT_CODES)
    reason = detail or code or (f"HTTP {status}" if status >= 400 else "not a JSON object")
    return OAuthError(f"{_host(url)} refused the token request: {reason}", code=code, permanent=permanent)


def error_code(body: Any) -> tuple[str | None, str | None]:
    """(code, description) from `{"error": "x"}`, `{"error": {"code", "message"}}` or
    `{"code": "x"}` (the shapes OpenAI's parser reads), or FastAPI's `{"detail"}`."""
    if not isinstance(body, dict):
        return None, None
    error = body.get("error")
    if isinstance(error, dict):
        return _str(error.get("code") or error.get("type")), _str(error.get("message"))
    if isinstance(error, str):
        return error, _str(body.get("error_description"))
    return _str(body.get("code")), _str(body.get("message") or body.get("detail"))


async def exchange_code(
    client: httpx.AsyncClient, oauth: OAuthSpec, code: str, redirect_uri: str, verifier: str, state: str
) -> dict[str, Any]:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": verifier,
    }
    if oauth.state_in_exchange:
        data["state"] = state
    return await token_request(client, oauth, data)


async def refresh(client: httpx.AsyncClient, oauth: OAuthSpec, refresh_token: str) -> dict[str, Any]:
    if oauth.exchange_url:
        from dragoman.auth.exchange import exchange  # it builds on this module

        return await exchange(client, oauth, refresh_token)
    return await token_request(client, oauth, {"grant_type": "refresh_token", "refresh_token": refresh_token})


async def revoke(client: httpx.AsyncClient, oauth: OAuthSpec, token: str, hint: str) -> bool:
    """Best effort (RFC 7009): True when the server said yes."""
    if not oauth.revoke_url:
        return False
    data = {"token": token, "token_type_hint": hint, "client_id": oauth.client_id}
    try:
        response = await post(client, oauth.revoke_url, data)
    except OAuthError:
        return False
    return response.status_code < 400


def jwt_claims(token: str | None) -> dict[str, Any]:
    """A JWT's payload, unverified (only read for facts about our own account)."""
    if not token or token.count(".") != 2:
        return {}
    payload = token.split(".")[1]
    try:
        claims = orjson.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (ValueError, orjson.JSONDecodeError):
        return {}
    return claims if isinstance(claims, dict) else {}


def token_facts(spec: ProviderSpec, answer: dict[str, Any], now: float | None = None) -> dict[str, Any]:
    """Account columns from a token response: tokens, expiry, scopes, identity. A
    refresh token the server did not send again is left out (the old one stays)."""
    now = time.time() if now is None else now
    facts: dict[str, Any] = {"access_token": answer["access_token"]}
    if answer.get("refresh_token"):
        facts["refresh_token"] = answer["refresh_token"]
    if isinstance(answer.get("scope"), str):
        facts["scopes"] = tuple(answer["scope"].split())
    # The kind's own reading wins, even where it found nothing (a Codex account id is
    # never the id token's `sub`); the generic claims fill only what it leaves unsaid.
    identity = dict(spec.runtime.identity(answer)) if spec.runtime is not None else {}
    for key, value in _identity_defaults(answer).items():
        identity.setdefault(key, value)
    facts.update({key: value for key, value in identity.items() if value is not None})
    if "expires_at" not in facts:
        facts["expires_at"] = _expiry(answer, now)
    return facts


def _identity_defaults(answer: dict[str, Any]) -> dict[str, Any]:
    claims = jwt_claims(answer.get("id_token"))
    found = {"email": _str(claims.get("email")), "account_id": _str(claims.get("sub"))}
    return {key: value for key, value in found.items() if value}


def _expiry(answer: dict[str, Any], now: float) -> float | None:
    expires_in = answer.get("expires_in")
    if isinstance(expires_in, str) and expires_in.isdigit():
        expires_in = int(expires_in)
    if isinstance(expires_in, int | float) and not isinstance(expires_in, bool):
        return now + float(expires_in)
    exp = jwt_claims(answer.get("access_token")).get("exp")
    return float(exp) if isinstance(exp, int | float) else None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _host(url: str) -> str:
    return urlsplit(url).hostname or url


_JSON = {"content-type": "application/json"}

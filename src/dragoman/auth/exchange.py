"""Logins whose requests carry a short-lived token minted from the login's own one
(GitHub Copilot, oauth.md §7.2): the long-lived token stays the refresh token, and a
refresh is an exchange at `OAuthSpec.exchange_url`.

The exchange answer becomes a token response (`access_token` = the minted token), so
the rest of `dragoman.auth` keeps it as any other: TokenKeeper refreshes it before it
expires, one exchange per account for a whole burst of requests.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dragoman.auth.tokens import OAuthError, answer_json
from dragoman.observe import redact
from dragoman.providers.subscription import OAuthSpec

if TYPE_CHECKING:
    import httpx


async def exchange(client: httpx.AsyncClient, oauth: OAuthSpec, login_token: str) -> dict[str, Any]:
    """The exchange's answer as a token response: `access_token` the short-lived token,
    `refresh_token` the login's own, the provider's other fields as they came, and the
    configured `quota_url`."""
    assert oauth.exchange_url is not None, "this login has no token exchange"
    headers = {
        **oauth.exchange_headers,
        "accept": "application/json",
        "authorization": f"token {login_token}",
    }
    answer = answer_json(await _get(client, oauth.exchange_url, headers), oauth.exchange_url)
    token = answer.get("token")
    if not isinstance(token, str) or not token:
        raise OAuthError("the token exchange answered without a token")
    redact.register([token])
    minted = {**answer, "access_token": token, "refresh_token": login_token}
    if oauth.quota_url:
        # Kept with the account (its runtime's `identity`): `status` reads the quota there.
        minted["quota_url"] = oauth.quota_url
    return minted


async def _get(client: httpx.AsyncClient, url: str, headers: dict[str, str]) -> httpx.Response:
    import httpx  # loaded already: `client` is one

    try:
        return await client.get(url, headers=headers)
    except httpx.HTTPError as error:
        from dragoman.providers import failures, httpx_pool

        raise OAuthError(
            failures.unreachable_as("the token exchange", url, error, httpx_pool.BEFORE)
        ) from None

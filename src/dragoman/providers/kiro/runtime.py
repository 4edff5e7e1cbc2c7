"""How Kiro's runtime treats one account (upstreams.md §7.2): the IDE's SDK headers,
`tokentype: API_KEY` for a key, the profile ARN in every body, a fresh invocation id
per call. Refreshes and the portal login are Kiro's own (`auth.py`, `login.py`)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from dragoman.providers.kiro import auth, usage
from dragoman.providers.kiro.builder_id import builder_id_login
from dragoman.providers.kiro.client import AGENT_MODE, user_agents
from dragoman.providers.kiro.login import social_login
from dragoman.providers.kiro.region import region_of, runtime_host
from dragoman.providers.subscription import AccountRuntime, Flow, OAuthSpec, UsageWindow

if TYPE_CHECKING:
    import httpx

    from dragoman.auth.login import LoginIO
    from dragoman.store.accounts import Account


class KiroRuntime(AccountRuntime):
    stream_only = True
    # An expired token is refused with 403 "The bearer token included in the request is invalid".
    refused_statuses = (401, 403)
    # Kiro's answers carry no quota: its usage endpoint is read while an account serves.
    usage_poll_seconds = 300.0

    def headers(self, account: Account) -> dict[str, str]:
        headers = {
            **user_agents(f"{account.provider}:{account.id}"),
            "x-amzn-codewhisperer-optout": "true",
            "x-amzn-kiro-agent-mode": AGENT_MODE,
        }
        if account.extra.get("login") == auth.API_KEY:
            headers["tokentype"] = "API_KEY"
        return headers

    def call_headers(self, account: Account, body: dict[str, Any]) -> dict[str, str]:
        return {"amz-sdk-invocation-id": str(uuid.uuid4()), "amz-sdk-request": "attempt=1; max=1"}

    def wrap(self, body: dict[str, Any], model: str, account: Account) -> dict[str, Any]:
        profile = account.extra.get("profile_arn")
        return {**body, "profileArn": profile} if isinstance(profile, str) and profile else body

    def list_query(self, account: Account) -> dict[str, str]:
        # A key's account has no profile to name; a login's list is its profile's.
        profile = account.extra.get("profile_arn")
        return {"profileArn": profile} if isinstance(profile, str) and profile else {}

    def identity(self, tokens: dict[str, Any]) -> dict[str, Any]:
        """From a token answer: the profile (the account's id) and its region's runtime."""
        profile = tokens.get("profile_arn")
        region = region_of(profile)
        return {
            # The profile's own id (`arn:...:profile/EHGA3GRVQMUK`): one per Kiro account.
            "account_id": profile.rpartition("/")[2] or None if isinstance(profile, str) else None,
            "base_url": runtime_host(region) if region else None,
            "profile_arn": profile,
            "login": tokens.get("login"),
            "auth_region": tokens.get("auth_region"),
            # A Builder ID login's own registration at AWS, which its refresh needs.
            "client_id": tokens.get("client_id"),
            "client_secret": tokens.get("client_secret"),
        }

    async def setup(self, account: Account, client: httpx.AsyncClient, base_url: str) -> dict[str, Any]:
        """The account's plan (`KIRO PRO`), which only Kiro's usage answer names: shown by
        `status` and `accounts list`. Not read is no failure: the plan stays unsaid."""
        answer = await self._usage_answer(account, client, base_url)
        found = usage.plan(answer) if answer is not None else None
        return {"plan": found} if found else {}

    async def usage(
        self, account: Account, client: httpx.AsyncClient, base_url: str
    ) -> list[UsageWindow] | None:
        answer = await self._usage_answer(account, client, base_url)
        if answer is None:
            return None
        return usage.windows(answer) or None

    async def _usage_answer(
        self, account: Account, client: httpx.AsyncClient, base_url: str
    ) -> dict[str, Any] | None:
        headers = {**self.headers(account), **self.call_headers(account, {})}
        headers["authorization"] = f"Bearer {account.access_token}"
        profile = account.extra.get("profile_arn")
        return await usage.fetch_usage(
            client, base_url, headers, profile if isinstance(profile, str) else None
        )

    async def refresh(self, client: httpx.AsyncClient, oauth: OAuthSpec, account: Account) -> dict[str, Any]:
        return await auth.refresh(client, oauth, account)

    async def login(
        self, client: httpx.AsyncClient, oauth: OAuthSpec, io: LoginIO, no_browser: bool, flow: Flow
    ) -> dict[str, Any]:
        if flow == "device":
            return await builder_id_login(client, oauth, io, no_browser)
        return await social_login(client, oauth, io)

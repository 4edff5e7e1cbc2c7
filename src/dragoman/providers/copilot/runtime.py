"""How Copilot treats a GitHub account (oauth.md §7, upstreams.md §9).

Requests carry the Copilot token from the exchange (`dragoman.auth.exchange`), the
editor identity (static, in the SPEC's headers), a fresh `x-request-id`, and
`X-Initiator` decided from the conversation (`initiator.py`). The exchange answer says
when the token is to be replaced and which API host serves the account's plan.
"""

from __future__ import annotations

import time
import uuid
from typing import TYPE_CHECKING, Any

from dragoman.ir.messages import Image
from dragoman.ir.request import Request
from dragoman.providers.copilot.initiator import initiator
from dragoman.providers.copilot.quirks import dialect_for
from dragoman.providers.copilot.quota import quota_windows
from dragoman.providers.subscription import AccountRuntime, UsageWindow

if TYPE_CHECKING:
    import httpx

    from dragoman.store.accounts import Account

# `dragoman.auth.refresh` replaces a token this long before its stated expiry; the
# expiry kept is pulled in so that happens a minute before Copilot's `refresh_in`.
REFRESH_MARGIN = 300.0
EARLY = 60.0


class CopilotRuntime(AccountRuntime):
    def call_headers(self, account: Account, body: dict[str, Any]) -> dict[str, str]:
        headers = {"x-request-id": str(uuid.uuid4())}
        if dialect_for(str(body.get("model", ""))) == "anthropic":
            headers["anthropic-version"] = "2023-06-01"
        return headers

    def turn_headers(self, request: Request) -> dict[str, str]:
        headers: dict[str, str] = {"x-initiator": initiator(request)}
        if any(isinstance(part, Image) for message in request.messages for part in message.parts):
            headers["copilot-vision-request"] = "true"
        return headers

    def identity(self, tokens: dict[str, Any]) -> dict[str, Any]:
        """From an exchange answer: when to exchange again, the plan, the API host."""
        return {
            "expires_at": replace_at(tokens, time.time()),
            "plan": _text(tokens.get("sku")),
            "base_url": api_base(tokens),
            "quota_url": _text(tokens.get("quota_url")),
        }

    async def usage(
        self, account: Account, client: httpx.AsyncClient, base_url: str
    ) -> list[UsageWindow] | None:
        return await quota_windows(account, client)


def replace_at(answer: dict[str, Any], now: float) -> float | None:
    """The expiry to keep: Copilot's `expires_at`, pulled in to `refresh_in` (+ the
    keeper's margin - a minute) when that comes sooner."""
    expires_at, refresh_in = _number(answer.get("expires_at")), _number(answer.get("refresh_in"))
    early = now + refresh_in + REFRESH_MARGIN - EARLY if refresh_in is not None else None
    found = [value for value in (expires_at, early) if value is not None]
    return min(found) if found else None


def api_base(answer: dict[str, Any]) -> str | None:
    """The account's API host: the answer's `endpoints.api`, else the token's
    `proxy-ep=proxy.X` as `https://api.X` (oauth.md §7.2)."""
    endpoints = answer.get("endpoints")
    api = endpoints.get("api") if isinstance(endpoints, dict) else None
    if isinstance(api, str) and api.startswith(("https://", "http://")):
        return api.rstrip("/")
    token = answer.get("token")
    fields = dict(part.split("=", 1) for part in str(token or "").split(";") if "=" in part)
    proxy = fields.get("proxy-ep", "")
    return f"https://api.{proxy.removeprefix('proxy.')}" if proxy.startswith("proxy.") else None


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None

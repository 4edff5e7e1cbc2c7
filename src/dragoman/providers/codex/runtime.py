"""How the Codex backend treats a ChatGPT account (upstreams.md §1.2, §1.5, §1.6).

Each request carries the account id from the login's token claims as
`chatgpt-account-id` and the conversation's key as `session_id`; the static client
identity (`originator`, User-Agent, `OpenAI-Beta`) is in the SPEC's headers. Usage
windows come from the `x-codex-*` response headers and the usage endpoint.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import orjson

from dragoman.auth.tokens import jwt_claims
from dragoman.providers.affinity import conversation_key
from dragoman.providers.codex.client import HEADERS
from dragoman.providers.subscription import AccountRuntime, UsageWindow

if TYPE_CHECKING:
    import httpx

    from dragoman.store.accounts import Account

AUTH_CLAIM = "https://api.openai.com/auth"
PROFILE_CLAIM = "https://api.openai.com/profile"
WINDOW_NAMES = {300: "5h", 10080: "weekly"}


class CodexRuntime(AccountRuntime):
    stream_only = True

    def headers(self, account: Account) -> dict[str, str]:
        return {"chatgpt-account-id": account.account_id} if account.account_id else {}

    def call_headers(self, account: Account, body: dict[str, Any]) -> dict[str, str]:
        return {"session_id": conversation_key(body)}

    def identity(self, tokens: dict[str, Any]) -> dict[str, Any]:
        """Account id and plan from the `https://api.openai.com/auth` claims (id token
        first, as the official CLI reads them), expiry from the access token."""
        id_claims, access_claims = claims(tokens.get("id_token")), claims(tokens.get("access_token"))
        auth = {**_object(access_claims.get(AUTH_CLAIM)), **_object(id_claims.get(AUTH_CLAIM))}
        profile = {**_object(access_claims.get(PROFILE_CLAIM)), **_object(id_claims.get(PROFILE_CLAIM))}
        exp = access_claims.get("exp")
        return {
            "account_id": _text(auth.get("chatgpt_account_id")),
            "plan": _text(auth.get("chatgpt_plan_type")),
            "email": _text(id_claims.get("email")) or _text(profile.get("email")),
            "expires_at": float(exp) if isinstance(exp, int | float) else None,
        }

    def rate_limits(self, headers: Mapping[str, str]) -> list[UsageWindow] | None:
        windows = [_header_window(headers, which) for which in ("primary", "secondary")]
        found = [window for window in windows if window is not None]
        return found or None

    async def usage(
        self, account: Account, client: httpx.AsyncClient, base_url: str
    ) -> list[UsageWindow] | None:
        import httpx  # loaded already: `client` is one

        headers = {**HEADERS, "accept": "application/json", **self.headers(account)}
        headers["authorization"] = f"Bearer {account.access_token}"
        try:
            response = await client.get(usage_url(base_url), headers=headers)
            answer = orjson.loads(response.content) if response.status_code < 400 else None
        except (httpx.HTTPError, orjson.JSONDecodeError):
            return None
        limits = _object(_object(answer).get("rate_limit"))
        windows = [
            _usage_window(_object(limits.get(f"{which}_window"))) for which in ("primary", "secondary")
        ]
        return [window for window in windows if window is not None] or None


def usage_url(base_url: str) -> str:
    """The usage endpoint beside a backend base: `/wham/usage` on a ChatGPT
    `/backend-api` host, `/api/codex/usage` elsewhere (upstreams.md §1.1)."""
    head, marker, _ = base_url.partition("/backend-api")
    return f"{head}/backend-api/wham/usage" if marker else f"{base_url}/api/codex/usage"


def claims(token: Any) -> dict[str, Any]:
    return jwt_claims(token) if isinstance(token, str) else {}


def _header_window(headers: Mapping[str, str], which: str) -> UsageWindow | None:
    used = _number(headers.get(f"x-codex-{which}-used-percent"))
    minutes = _number(headers.get(f"x-codex-{which}-window-minutes"))
    reset_at = _number(headers.get(f"x-codex-{which}-reset-at"))
    after = _number(headers.get(f"x-codex-{which}-reset-after-seconds"))
    if not used and not minutes and reset_at is None and after is None:
        return None
    window = UsageWindow(name=_name(minutes, which), used_percent=used or 0.0)
    if reset_at is not None or after is not None:
        window["resets_at"] = reset_at if reset_at is not None else time.time() + (after or 0.0)
    return window


def _usage_window(data: dict[str, Any]) -> UsageWindow | None:
    if not data:
        return None
    seconds = _number(data.get("limit_window_seconds"))
    window = UsageWindow(
        name=_name(seconds / 60 if seconds else None, "window"),
        used_percent=_number(data.get("used_percent")) or 0.0,
    )
    reset_at, after = _number(data.get("reset_at")), _number(data.get("reset_after_seconds"))
    if reset_at is not None or after is not None:
        window["resets_at"] = reset_at if reset_at is not None else time.time() + (after or 0.0)
    return window


def _name(minutes: float | None, fallback: str) -> str:
    if not minutes:
        return fallback
    return WINDOW_NAMES.get(int(minutes), f"{int(minutes) // 60}h" if minutes >= 60 else f"{int(minutes)}m")


def _number(value: Any) -> float | None:
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None

"""Copilot's quota, from the user endpoint (`copilot_internal/user`, oauth.md §7.3,
pools.md): one usage window per metered kind of request, read with the GitHub token.

    {"copilot_plan": "individual", "quota_reset_date": "2026-12-01",
     "quota_snapshots": {"premium_interactions": {"entitlement": 300, "remaining": 120,
                         "percent_remaining": 40.0, "unlimited": false}, "chat": {...}}}

Unlimited kinds are not windows: nothing runs out.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import orjson

from dragoman.providers.copilot.client import EDITOR_HEADERS
from dragoman.providers.subscription import UsageWindow

if TYPE_CHECKING:
    import httpx

    from dragoman.store.accounts import Account

QUOTA_URL = "https://api.github.com/copilot_internal/user"
# Snapshot names as `dragoman status` shows them.
WINDOW_NAMES = {"premium_interactions": "premium", "chat": "chat", "completions": "completions"}


async def quota_windows(account: Account, client: httpx.AsyncClient) -> list[UsageWindow] | None:
    """The account's windows now; None when the endpoint does not answer them."""
    import httpx  # loaded already: `client` is one

    if not account.refresh_token:
        return None
    url = account.extra.get("quota_url") or QUOTA_URL
    headers = {
        **EDITOR_HEADERS,
        "accept": "application/json",
        "authorization": f"token {account.refresh_token}",
    }
    try:
        response = await client.get(url, headers=headers)
        answer = orjson.loads(response.content) if response.status_code < 400 else None
    except (httpx.HTTPError, orjson.JSONDecodeError):
        return None
    return windows(answer) or None


def windows(answer: Any) -> list[UsageWindow]:
    if not isinstance(answer, dict) or not isinstance(answer.get("quota_snapshots"), dict):
        return []
    resets_at = reset_time(answer.get("quota_reset_date"))
    found = []
    for key, name in WINDOW_NAMES.items():
        snapshot = answer["quota_snapshots"].get(key)
        if not isinstance(snapshot, dict) or snapshot.get("unlimited"):
            continue
        remaining = snapshot.get("percent_remaining")
        if not isinstance(remaining, int | float):
            continue
        window = UsageWindow(name=name, used_percent=max(0.0, min(100.0, 100.0 - float(remaining))))
        if resets_at is not None:
            window["resets_at"] = resets_at
        found.append(window)
    return found


def reset_time(value: Any) -> float | None:
    """`quota_reset_date`: a date (midnight UTC) or a full ISO time."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()

"""Kiro's usage limits (`GET {runtime}/getUsageLimits`, pools.md): one usage window per
metered resource, credits counted to 0.01, with the month's reset.

    {"nextDateReset": 1785542400.0, "subscriptionInfo": {"subscriptionTitle": "KIRO PRO"},
     "usageBreakdownList": [{"resourceType": "CREDIT", "displayName": "Credits",
        "currentUsageWithPrecision": 120.5, "usageLimitWithPrecision": 1000.0,
        "freeTrialInfo": {"freeTrialStatus": "ACTIVE", "currentUsageWithPrecision": 3.0,
                          "usageLimitWithPrecision": 50.0}}],
     "overageConfiguration": {"overageStatus": "ENABLED"}, "userInfo": {"email": "..."}}

With overage enabled the account stays usable past its limit (billed): its window then
says `overage` rather than counting as exhausted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import orjson

from dragoman.providers.subscription import UsageWindow

if TYPE_CHECKING:
    import httpx

USAGE_PATH = "/getUsageLimits"


async def fetch_usage(
    client: httpx.AsyncClient, base_url: str, headers: dict[str, str], profile_arn: str | None
) -> dict[str, Any] | None:
    """The usage answer, or None when the endpoint does not give one."""
    import httpx  # loaded already: `client` is one

    query = {"origin": "AI_EDITOR", "resourceType": "AGENTIC_REQUEST"}
    if profile_arn:
        query["profileArn"] = profile_arn
    try:
        response = await client.get(f"{base_url}{USAGE_PATH}?{urlencode(query)}", headers=headers)
        answer = orjson.loads(response.content) if response.status_code < 400 else None
    except (httpx.HTTPError, orjson.JSONDecodeError):
        return None
    return answer if isinstance(answer, dict) else None


def windows(answer: dict[str, Any]) -> list[UsageWindow]:
    reset = _number(answer.get("nextDateReset"))
    overage = _overage(answer)
    found: list[UsageWindow] = []
    for entry in answer.get("usageBreakdownList") or ():
        if not isinstance(entry, dict):
            continue
        name = str(entry.get("resourceType") or entry.get("displayName") or "usage").lower()
        found += _window(name, entry, _number(entry.get("nextDateReset")) or reset, overage)
        trial = entry.get("freeTrialInfo")
        if isinstance(trial, dict) and str(trial.get("freeTrialStatus", "")).upper() == "ACTIVE":
            found += _window(f"{name} trial", trial, _number(trial.get("freeTrialExpiry")), False)
    return found


def plan(answer: dict[str, Any]) -> str | None:
    info = answer.get("subscriptionInfo")
    title = info.get("subscriptionTitle") if isinstance(info, dict) else None
    return title if isinstance(title, str) and title else None


def _window(name: str, entry: dict[str, Any], reset: float | None, overage: bool) -> list[UsageWindow]:
    used = _number(entry.get("currentUsageWithPrecision", entry.get("currentUsage")))
    limit = _number(entry.get("usageLimitWithPrecision", entry.get("usageLimit")))
    if used is None or not limit:
        return []
    window = UsageWindow(name=name, used_percent=round(max(0.0, min(100.0, used * 100.0 / limit)), 2))
    if reset is not None:
        window["resets_at"] = reset
    if overage and used >= limit:
        window["status"] = "overage"
    return [window]


def _overage(answer: dict[str, Any]) -> bool:
    config = answer.get("overageConfiguration")
    return isinstance(config, dict) and str(config.get("overageStatus", "")).upper() == "ENABLED"


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None

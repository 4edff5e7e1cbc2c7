"""Which Google Cloud project an account's Code Assist requests name: found once per
account, before its first request (upstreams.md §4.2, gemini-cli
packages/core/src/code_assist/setup.ts).

    loadCodeAssist  -> already onboarded (`currentTier`): its `cloudaicompanionProject`
                    -> not yet: onboardUser with the default tier; a free tier gets a
                       project Google manages, others use the user's own project
    onboardUser     -> a long-running operation, polled until `done`

The user's own project (needed for the paid tiers) comes from the account's
`google_cloud_project`, else GOOGLE_CLOUD_PROJECT / GOOGLE_CLOUD_PROJECT_ID as for
Gemini CLI.

Since 2026-06-18 Code Assist serves no personal Google account (runtimes.md): such an
account is loaded with no current tier and its tiers listed as ineligible, each with the
reason ("This client is no longer supported for Gemini Code Assist for individuals…").
That is `Ineligible`, said once with Google's reason and what remains possible; it is not
onboarded (onboarding would only fail too), and `dragoman login` refuses the account.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import orjson

from dragoman.dialects.gemini import error
from dragoman.ir.errors import PermissionDenied, UpstreamError, UpstreamTimeout, UpstreamUnreachable
from dragoman.providers.subscription import Ineligible

if TYPE_CHECKING:
    import httpx

METADATA = {"ideType": "IDE_UNSPECIFIED", "platform": "PLATFORM_UNSPECIFIED", "pluginType": "GEMINI"}
FREE_TIER = "free-tier"
# The tier Gemini CLI onboards with when the server names no default.
LEGACY_TIER = "legacy-tier"
INELIGIBLE = (
    "Google serves Gemini CLI logins only to Workspace accounts with Gemini Code Assist Standard or "
    "Enterprise; personal Google accounts were cut off on 2026-06-18. Use a Gemini API key "
    "(kind gemini) instead"
)
NEEDS_PROJECT = (
    "this Google account needs its own Google Cloud project for Code Assist: set GOOGLE_CLOUD_PROJECT "
    "(see https://goo.gle/gemini-cli-auth-docs#workspace-gca)"
)


class CodeAssist:
    """The Code Assist methods project discovery calls, for one access token."""

    def __init__(self, client: httpx.AsyncClient, base_url: str, token: str) -> None:
        self.client, self.base_url = client, base_url.rstrip("/")
        self.headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}

    async def call(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        return await self._send("POST", f"{self.base_url}:{method}", orjson.dumps(body))

    async def operation(self, name: str) -> dict[str, Any]:
        return await self._send("GET", f"{self.base_url}/{name}", None)

    async def _send(self, method: str, url: str, content: bytes | None) -> dict[str, Any]:
        import httpx  # loaded already: `self.client` is one

        try:
            response = await self.client.request(method, url, content=content, headers=self.headers)
        except httpx.HTTPError as failure:
            from dragoman.providers import failures, httpx_pool

            words = failures.unreachable_as("Code Assist", url, failure, httpx_pool.BEFORE)
            raise UpstreamUnreachable(words) from None
        if response.status_code >= 400:
            raise error.parse(response.status_code, response.content, response.headers)
        try:
            answer = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            raise UpstreamError("Code Assist answered with something that is not JSON") from None
        return answer if isinstance(answer, dict) else {}


async def discover_project(
    api: CodeAssist, own_project: str | None, *, poll_seconds: float = 5.0, polls: int = 60
) -> dict[str, Any]:
    """`{"project": id, "tier": tier id}` for the account, onboarding it if it never was."""
    loaded = await api.call("loadCodeAssist", _load_body(own_project))
    if isinstance(loaded.get("currentTier"), dict):
        project = _project_id(loaded.get("cloudaicompanionProject")) or own_project
        return _found(project, _tier(loaded), loaded)
    _check_validation(loaded)
    _check_eligible(loaded)
    tier, needs_own = _onboard_tier(loaded)
    if needs_own and own_project is None:
        raise _no_project(loaded)
    operation = await api.call("onboardUser", _onboard_body(tier, own_project))
    for _ in range(polls):
        if operation.get("done") or not isinstance(operation.get("name"), str):
            break
        await asyncio.sleep(poll_seconds)
        operation = await api.operation(operation["name"])
    else:
        raise UpstreamTimeout("Code Assist did not finish setting up this account; try again later")
    response = operation.get("response")
    project = _project_id(response.get("cloudaicompanionProject")) if isinstance(response, dict) else None
    return _found(project or own_project, tier, loaded)


def _load_body(own_project: str | None) -> dict[str, Any]:
    return _naming(own_project)


def _onboard_body(tier: str, own_project: str | None) -> dict[str, Any]:
    # The free tier's project is Google's: naming one fails with "Precondition Failed".
    return {"tierId": tier, **_naming(None if tier == FREE_TIER else own_project)}


def _naming(project: str | None) -> dict[str, Any]:
    """The client metadata, with the user's own project where there is one."""
    if project is None:
        return {"metadata": METADATA}
    return {"cloudaicompanionProject": project, "metadata": {**METADATA, "duetProject": project}}


def _onboard_tier(loaded: dict[str, Any]) -> tuple[str, bool]:
    """The tier to onboard with, and whether it runs in the user's own project."""
    for tier in _dicts(loaded.get("allowedTiers")):
        if tier.get("isDefault") and isinstance(tier.get("id"), str):
            own = tier.get("userDefinedCloudaicompanionProject")
            return str(tier["id"]), own if isinstance(own, bool) else tier["id"] != FREE_TIER
    return LEGACY_TIER, True


def _tier(loaded: dict[str, Any]) -> str | None:
    for key in ("paidTier", "currentTier"):
        tier = loaded.get(key)
        if isinstance(tier, dict) and isinstance(tier.get("id"), str):
            return str(tier["id"])
    return None


def _check_validation(loaded: dict[str, Any]) -> None:
    """Google sometimes wants the person to verify the account in a browser first."""
    for tier in _dicts(loaded.get("ineligibleTiers")):
        if tier.get("reasonCode") == "VALIDATION_REQUIRED" and isinstance(tier.get("validationUrl"), str):
            reason = tier.get("reasonMessage") or "account validation required"
            raise PermissionDenied(f"Code Assist: {reason}; open {tier['validationUrl']} and try again")


def _check_eligible(loaded: dict[str, Any]) -> None:
    """Refused when every tier Google names for a new account is an ineligible one: none
    is offered, or the default offered is listed ineligible (the personal-account cut-off)."""
    ineligible = _dicts(loaded.get("ineligibleTiers"))
    if not ineligible:
        return
    refused = {tier.get("tierId") for tier in ineligible}
    offered = [tier for tier in _dicts(loaded.get("allowedTiers")) if tier.get("id") not in refused]
    if offered:
        return
    reasons = [str(tier["reasonMessage"]) for tier in ineligible if tier.get("reasonMessage")]
    said = f"Google says: {' '.join(reasons)} " if reasons else ""
    raise Ineligible(f"Code Assist refuses this Google account. {said}({INELIGIBLE})")


def _found(project: str | None, tier: str | None, loaded: dict[str, Any]) -> dict[str, Any]:
    if not project:
        raise _no_project(loaded)
    return {"project": project, "tier": tier}


def _no_project(loaded: dict[str, Any]) -> PermissionDenied:
    """Why this account has no project: the server's reasons, else what to set."""
    ineligible = _dicts(loaded.get("ineligibleTiers"))
    reasons = [str(tier["reasonMessage"]) for tier in ineligible if tier.get("reasonMessage")]
    return PermissionDenied("Code Assist: " + (", ".join(reasons) or NEEDS_PROJECT))


def _project_id(value: Any) -> str | None:
    """A project as loadCodeAssist names it (an id) or onboardUser does (`{id, name}`)."""
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) and value else None


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []

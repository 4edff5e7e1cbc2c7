"""A subscription kind as this configuration has it: its OAuth client with every URL
from `[oauth.<kind>]` applied, and the base URL its backend is called at."""

from __future__ import annotations

from dataclasses import replace

from dragoman.config import ConfigError, Settings
from dragoman.providers import discover
from dragoman.providers.spec import ProviderSpec
from dragoman.providers.subscription import OAuthSpec

# The `[oauth.<kind>]` keys that replace an OAuthSpec field of the same name.
_OVERRIDDEN = (
    "authorize_url",
    "token_url",
    "device_url",
    "device_token_url",
    "revoke_url",
    "verification_url",
    "redirect_port",
    "exchange_url",
    "quota_url",
)


def subscription_kinds() -> dict[str, ProviderSpec]:
    """Every provider kind that logs in with OAuth, by kind name."""
    return {kind: spec for kind, spec in sorted(discover().items()) if spec.oauth is not None}


def subscription_spec(kind: str) -> ProviderSpec:
    """The kind's spec; ConfigError naming the known ones if it has no login."""
    kinds = subscription_kinds()
    spec = kinds.get(kind)
    if spec is None:
        raise ConfigError(f"{kind!r} has no subscription login (known: {', '.join(kinds) or 'none'})")
    return spec


def oauth_for(spec: ProviderSpec, settings: Settings) -> OAuthSpec:
    """The kind's OAuth client with this configuration's URL overrides."""
    assert spec.oauth is not None, f"{spec.kind} has no OAuth client"
    override = settings.oauth.get(spec.kind)
    if override is None:
        return spec.oauth
    changes = {name: getattr(override, name) for name in _OVERRIDDEN if getattr(override, name) is not None}
    return replace(spec.oauth, **changes)


def base_url_for(spec: ProviderSpec, settings: Settings, stored: str | None = None) -> str:
    """Where the kind's backend is called: `[oauth.<kind>].base_url`, else the account's
    own, else the kind's."""
    override = settings.oauth.get(spec.kind)
    chosen = (override.base_url if override else None) or stored or spec.base_url or ""
    return chosen.rstrip("/")

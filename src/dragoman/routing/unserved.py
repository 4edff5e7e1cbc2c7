"""Accounts the gateway knows but cannot serve, and why: a `[providers.NAME]` table left
out at start for its missing key (`providers.upstream.skipped_providers`), or a stored
account that cannot be built (its key variable unset, say).

They are listed with the served ones (`dragoman accounts list`, the admin API) under
their label, so that a user sees why one is not served and can still steer its pool
policy for when it is. Their keys are shown as listings show every key
(`providers.upstream.shown_key`): masked, or by the variable they come from.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from dragoman.config import ProviderConfig
from dragoman.observe.redact import mask
from dragoman.pools.settings import DEFAULT_POLICY, AccountPolicy
from dragoman.providers import discover
from dragoman.providers.upstream import shown_key
from dragoman.store.accounts import Account


@dataclass(frozen=True, slots=True)
class Unserved:
    """An account known by its label but not served; `reason` says why."""

    name: str
    kind: str
    auth: str  # as the admin view names it: "key", "login" or "none"
    dialect: str | None
    base_url: str | None
    models: tuple[str, ...]
    key_shown: str
    reason: str
    policy: AccountPolicy = DEFAULT_POLICY


def unserved_provider(name: str, config: ProviderConfig, reason: str, environ: Mapping[str, str]) -> Unserved:
    """A `[providers.NAME]` table left out at start, for `reason` (its error message)."""
    spec = discover().get(config.kind)
    key = shown_key(config, spec, environ) if spec is not None else "none"
    return Unserved(
        name=name,
        kind=config.kind,
        auth="none" if key == "none" else "key",
        dialect=config.dialect or (spec.default_dialect if spec else None),
        base_url=config.base_url or (spec.base_url if spec else None),
        models=tuple(config.models),
        key_shown=key,
        reason=without_place(reason, f"providers.{name}"),
        policy=config.policy(),
    )


def unserved_account(account: Account, reason: str) -> Unserved:
    """A stored account that cannot be built, for `reason` (its error message)."""
    spec = discover().get(account.provider)
    key = account_key(account)
    auth = "login" if account.auth == "oauth" else ("none" if key == "none" else "key")
    return Unserved(
        name=account.label,
        kind=account.provider,
        auth=auth,
        dialect=account.dialect or (spec.default_dialect if spec else None),
        base_url=account.base_url or (spec.base_url if spec else None),
        models=account.models,
        key_shown=key,
        reason=without_place(reason, f"account {account.label}"),
    )


def account_key(account: Account) -> str:
    """A stored account's key as listings show it; a login by its email and plan."""
    if account.auth == "oauth":
        login = account.email or "login"
        return f"{login} ({account.plan})" if account.plan else login
    if account.api_key:
        return mask(account.api_key)
    return f"${account.api_key_env}" if account.api_key_env else "none"


def without_place(message: str, where: str) -> str:
    """An error message without the `where.field: ` it starts with: a listing names the
    account already."""
    return re.sub(rf"^{re.escape(where)}(\.[\w.]+)?: ", "", message)

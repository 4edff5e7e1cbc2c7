"""Where upstreams come from besides the config file: the accounts table and a local
Ollama found at start. Each goes through `providers.upstream.build_upstream`, as a
`[providers.NAME]` table does, so an account is checked exactly like one."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import replace

from pydantic import ValidationError

from dragoman.config import ConfigError, ProviderConfig, Settings
from dragoman.ir.models import ModelInfo
from dragoman.providers import discover
from dragoman.providers.ollama import SPEC as OLLAMA
from dragoman.providers.ollama.detect import api_base, probe
from dragoman.providers.upstream import Upstream, build_upstream
from dragoman.routing.unserved import Unserved, account_key, unserved_account
from dragoman.store.accounts import Account

log = logging.getLogger("dragoman.routing")

# How each kind of account becomes provider settings. A subscription login (OAuth)
# carries no key: its token is fetched fresh for each request (dragoman.auth.refresh).
ACCOUNT_CONFIGS: dict[str, Callable[[Account], ProviderConfig]] = {
    "api_key": lambda account: ProviderConfig(
        kind=account.provider,
        dialect=account.dialect,  # type: ignore[arg-type]  # checked by pydantic
        base_url=account.base_url,
        api_key=account.api_key,  # type: ignore[arg-type]  # pydantic wraps it in SecretStr
        api_key_env=account.api_key_env,
        models=list(account.models),
    ),
    "oauth": lambda account: ProviderConfig(
        kind=account.provider,
        dialect=account.dialect,  # type: ignore[arg-type]  # checked by pydantic
        base_url=account.base_url,
        models=list(account.models),
    ),
}


def account_config(account: Account) -> ProviderConfig:
    """The provider settings an account stands for; ConfigError if it has none."""
    to_config = ACCOUNT_CONFIGS.get(account.auth)
    if to_config is None:
        raise ConfigError(f"account {account.label}: {account.auth} accounts are not served yet")
    try:
        return to_config(account)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, p['loc']))}: {p['msg']}" for p in error.errors())
        raise ConfigError(f"account {account.label}: {problems}") from None


def account_upstream(account: Account, settings: Settings, environ: Mapping[str, str]) -> Upstream:
    """One account as an upstream named by its label. Raises ConfigError."""
    where = f"account {account.label}"
    config = account_config(account)
    if account.auth != "oauth":
        return build_upstream(account.label, config, environ, where=where, proxy=settings.proxy)
    spec = discover().get(account.provider)
    if spec is not None and spec.oauth is None:
        raise ConfigError(f"{where}: {account.provider} has no subscription login")
    # `[oauth.<kind>] base_url` moves every login of the kind (tests: to a fake backend).
    override = settings.oauth.get(account.provider)
    if override is not None and override.base_url:
        config = config.model_copy(update={"base_url": override.base_url})
    upstream = build_upstream(
        account.label, config, environ, where=where, proxy=settings.proxy, account_id=account.id
    )
    return replace(upstream, key_shown=account_key(account))  # the login's email and plan


def account_upstreams(
    accounts: list[Account], settings: Settings, environ: Mapping[str, str] = os.environ
) -> tuple[list[Upstream], list[Unserved]]:
    """The accounts that can be served, in creation order, and those that cannot. A
    broken one (its key variable unset, say) is left out with a warning and listed
    with why, never stopping the others."""
    upstreams, unserved = [], []
    for account in accounts:
        try:
            upstreams.append(account_upstream(account, settings, environ))
        except ConfigError as error:
            log.warning("%s; it is not served", error)
            unserved.append(unserved_account(account, str(error)))
    return upstreams, unserved


async def detect_ollama(
    settings: Settings, environ: Mapping[str, str] = os.environ
) -> tuple[Upstream, tuple[ModelInfo, ...]] | None:
    """A local Ollama as the upstream "ollama", and the models it has, if it answers.
    The models are its first live list: later refreshes replace them."""
    models = await probe(settings.ollama_url)
    if models is None:
        return None
    config = ProviderConfig(kind=OLLAMA.kind, base_url=api_base(settings.ollama_url))
    # A local server: never through the global proxy.
    upstream = build_upstream(OLLAMA.kind, config, environ, where="ollama", proxy="")
    log.info("found Ollama at %s with %d models", settings.ollama_url, len(models))
    return upstream, tuple(models)


def wants_ollama(settings: Settings) -> bool:
    """Whether to look for a local Ollama: asked for, and none configured by hand."""
    configured = any(config.kind == OLLAMA.kind for config in settings.providers.values())
    return settings.detect_ollama and not configured and OLLAMA.kind not in settings.providers

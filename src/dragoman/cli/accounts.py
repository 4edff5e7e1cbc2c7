"""`dragoman accounts`: upstream accounts kept in dragoman's database (add, remove); the
pool commands (list, enable, disable, set, reset) are in `cli.account_admin`.

A running gateway notices a change within a few seconds; no restart is needed.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

import click
from rich.markup import escape

from dragoman.cli.account_admin import COMMANDS
from dragoman.cli.common import (
    ConfigProblem,
    console,
    err_console,
    home_options,
    load_settings,
)
from dragoman.config import ConfigError, ProviderConfig, Settings
from dragoman.config.masking import masked_url
from dragoman.dialects import DIALECTS
from dragoman.observe.redact import mask
from dragoman.providers.spec import ProviderSpec
from dragoman.providers.upstream import check_provider
from dragoman.store import Database, open_database
from dragoman.store.account_store import AccountStore
from dragoman.store.accounts import Account, AccountError, check_label
from dragoman.store.db import open_existing, prepare_home
from dragoman.store.keyring import Keyring
from dragoman.store.policy_store import PolicyStore

# First path segments of the gateway's own routes: an upstream named so would be
# unreachable by its native pass-through (`/{name}/...`).
RESERVED_LABELS = frozenset({"v1", "v1beta", "api", "healthz", "ui"})

HISTORY_WARNING = (
    "warning: a key given with --api-key stays in your shell history. Next time leave it out to "
    "be asked for it, or use --api-key-env VAR."
)


@click.group()
def accounts() -> None:
    """Upstream accounts: stored ones added and removed, every one seen and steered."""


@accounts.command()
@click.option(
    "--provider", "kind", required=True, metavar="KIND", help="Provider kind: openai, anthropic, ..."
)
@click.option("--label", help="Its name: clients write LABEL/model to choose it. [default: the kind]")
@click.option("--api-key", help="The key. Leave out to be asked for it (out of your shell history).")
@click.option("--api-key-env", metavar="VAR", help="Read the key from this variable when dragoman starts.")
@click.option("--base-url", help="API base URL, for kinds without a fixed one (openai_compatible).")
@click.option("--dialect", type=click.Choice(sorted(DIALECTS)), help="Wire format, for kinds with several.")
@click.option("--model", "models", multiple=True, help="Serve exactly these models (repeatable).")
@click.option("--priority", type=click.IntRange(min=0), help="Its pool tier: lower first. [default: 1]")
@click.option("--weight", type=click.FloatRange(min=0, min_open=True), help="Its share under `weighted`.")
@click.option("--max-concurrent", type=click.IntRange(min=1), help="Requests at once. [default: no limit]")
@click.option("--disabled", is_flag=True, help="Store it, but choose it for no request until enabled.")
@home_options
def add(
    kind: str,
    label: str | None,
    api_key: str | None,
    api_key_env: str | None,
    base_url: str | None,
    dialect: str | None,
    models: tuple[str, ...],
    priority: int | None,
    weight: float | None,
    max_concurrent: int | None,
    disabled: bool,
    home: str | None,
    config_file: str | None,
) -> None:
    """Add an account with an API key (asked for when neither key option is given)."""
    policy = _policy(priority, weight, max_concurrent, disabled)
    settings = load_settings(home, config_file)
    if api_key and api_key_env:
        raise click.UsageError("give --api-key or --api-key-env, not both")
    spec, resolved = _check(kind, dialect, base_url)
    if label:
        try:
            check_label(label)
        except AccountError as error:
            raise click.UsageError(str(error)) from None
    api_key = _key_given(kind, spec, api_key, api_key_env)
    draft = Account(
        provider=kind,
        label=label or "",
        api_key=api_key or None,
        api_key_env=api_key_env,
        base_url=base_url,
        dialect=dialect,
        models=models,
    )
    if spec.oauth is not None:
        draft = _key_login(draft)
    stored = asyncio.run(_add(settings, draft, policy))
    label, key = escape(stored.label), escape(_key(stored))
    console.print(
        f"Added account {stored.id} [bold]{label}[/] ({kind}, {resolved}, key {key}). "
        f"Clients choose it with {label}/MODEL; a running dragoman serves it within seconds."
    )


def _policy(
    priority: int | None, weight: float | None, max_concurrent: int | None, disabled: bool
) -> dict[str, Any]:
    """The pool settings given on the command line (the others keep their defaults)."""
    given = {"priority": priority, "weight": weight, "max_concurrent": max_concurrent}
    policy: dict[str, Any] = {name: value for name, value in given.items() if value is not None}
    if disabled:
        policy["enabled"] = False
    return policy


def _key_given(kind: str, spec: ProviderSpec, api_key: str | None, api_key_env: str | None) -> str | None:
    """The key typed on the command line (with a warning), or asked for when the kind
    needs one and no variable names it; a note when the variable is not set here."""
    if api_key:
        err_console.print(f"[yellow]{HISTORY_WARNING}[/]")
    elif not api_key_env and (spec.needs_key or spec.takes_keys):
        api_key = _asked_key(kind)
    if api_key_env and not os.environ.get(api_key_env):
        err_console.print(
            f"[yellow]note:[/] {escape(api_key_env)} is not set here; dragoman reads it at start."
        )
    return api_key


@accounts.command()
@click.argument("account", metavar="ID_OR_LABEL")
@home_options
def remove(account: str, home: str | None, config_file: str | None) -> None:
    """Remove an account (a running dragoman stops serving it within seconds)."""
    settings = load_settings(home, config_file)
    removed = asyncio.run(_remove(settings, account))
    if removed is None:
        raise click.ClickException(f"no account {account!r}: `dragoman accounts list` shows them")
    console.print(
        f"Removed account {removed.id} [bold]{escape(removed.label)}[/] ({escape(removed.provider)})."
    )


def _key_login(draft: Account) -> Account:
    """A subscription kind's API key (Kiro's), kept as a login whose token is the key:
    its backend's headers, usage and status then apply as to its other logins."""
    if draft.api_key_env:
        raise click.UsageError(f"{draft.provider} keys are stored: give --api-key or type it when asked")
    if not draft.api_key:
        raise click.UsageError(f"{draft.provider} needs its API key")
    extra = {"login": "api_key"}
    return replace(draft, auth="oauth", api_key=None, access_token=draft.api_key, extra=extra)


def _asked_key(kind: str) -> str:
    """The key, typed out of sight at a terminal, or the first line of a pipe: getpass
    would warn that the input may be echoed, and a pipe has nothing to hide."""
    key = (
        str(click.prompt(f"{kind} API key", hide_input=True)) if sys.stdin.isatty() else sys.stdin.readline()
    )
    if not key.strip():
        raise click.UsageError("no key given: type it when asked, or pipe it in")
    return key.strip()


def _check(kind: str, dialect: str | None, base_url: str | None) -> tuple[ProviderSpec, str]:
    """The kind's spec and the dialect the account will speak, checked as a config
    table would be; a usage error naming the option otherwise."""
    try:
        config = ProviderConfig(kind=kind, dialect=dialect, base_url=base_url)  # type: ignore[arg-type]
        spec, resolved, _ = check_provider(config, where="account")
    except ConfigError as error:
        raise click.UsageError(str(error)) from None
    if spec.oauth is not None and not spec.takes_keys:
        raise click.UsageError(
            f"{kind} is a subscription login, not a key: run `dragoman login --provider {kind}` "
            f"(or `dragoman import {kind}`)"
        )
    return spec, resolved


@asynccontextmanager
async def _store(settings: Settings, *, create: bool) -> AsyncIterator[AccountStore | None]:
    """The account store, or None when there is no database and `create` is off."""
    database: Database | None
    if create:
        prepare_home(settings.home)
        database = await open_database(
            settings.effective_database_url, Keyring(settings.home), options=settings.database
        )
    else:
        database = await open_existing(
            settings.effective_database_url, Keyring(settings.home), options=settings.database
        )
    try:
        yield AccountStore(database.engine, database.keys) if database is not None else None
    finally:
        if database is not None:
            await database.close()


async def _add(settings: Settings, draft: Account, policy: dict[str, Any]) -> Account:
    reserved = {*settings.providers, *RESERVED_LABELS}
    async with _store(settings, create=True) as store:
        assert store is not None
        try:
            stored = await store.add(draft, reserved=reserved)
        except AccountError as error:
            raise ConfigProblem(str(error)) from None
        # Written before the account row is seen to serve? Within the same poll at worst:
        # a gateway reads the overrides before the accounts on each poll.
        if policy:
            await PolicyStore(store.engine).change(stored.label, policy)
        return stored


async def _remove(settings: Settings, key: str) -> Account | None:
    async with _store(settings, create=False) as store:
        removed = await store.remove(key) if store is not None else None
        if store is not None and removed is not None:
            # A new account given the label later starts from its own settings.
            await PolicyStore(store.engine).forget(removed.label)
        return removed


def _shown_url(url: str | None) -> str | None:
    # A base URL may carry credentials (`user:password@`, `?key=`), shown like a key.
    return masked_url(url) if url else None


def _key(account: Account) -> str:
    """How the account's key is shown: masked, or the variable it comes from."""
    if account.api_key:
        return mask(account.api_key)
    if account.extra.get("login") == "api_key" and account.access_token:
        return mask(account.access_token)
    if account.api_key_env:
        return f"${account.api_key_env}"
    return "oauth" if account.auth == "oauth" else "none"


for _command in COMMANDS:
    accounts.add_command(_command)

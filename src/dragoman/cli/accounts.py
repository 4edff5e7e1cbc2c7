"""`dragoman accounts`: upstream accounts kept in dragoman's database (add, list, remove).

A running gateway notices a change within a few seconds; no restart is needed.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import click
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from dragoman.cli.common import (
    ConfigProblem,
    console,
    err_console,
    home_options,
    json_option,
    load_settings,
    print_json,
)
from dragoman.cli.tables import Block, plain, print_rows
from dragoman.config import ConfigError, ProviderConfig, Settings
from dragoman.config.masking import masked_url
from dragoman.dialects import DIALECTS
from dragoman.observe.redact import mask
from dragoman.providers import discover
from dragoman.providers.spec import ProviderSpec
from dragoman.providers.upstream import check_provider
from dragoman.store import Database, open_database
from dragoman.store.account_store import AccountStore
from dragoman.store.accounts import Account, AccountError, check_label
from dragoman.store.db import open_existing, prepare_home

# First path segments of the gateway's own routes: an upstream named so would be
# unreachable by its native pass-through (`/{name}/...`).
RESERVED_LABELS = frozenset({"v1", "v1beta", "api", "healthz"})

HISTORY_WARNING = (
    "warning: a key given with --api-key stays in your shell history. Next time leave it out to "
    "be asked for it, or use --api-key-env VAR."
)


@click.group()
def accounts() -> None:
    """Upstream accounts stored in dragoman's database (keys never shown in full)."""


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
@home_options
def add(
    kind: str,
    label: str | None,
    api_key: str | None,
    api_key_env: str | None,
    base_url: str | None,
    dialect: str | None,
    models: tuple[str, ...],
    home: str | None,
    config_file: str | None,
) -> None:
    """Add an account with an API key (asked for when neither key option is given)."""
    settings = load_settings(home, config_file)
    if api_key and api_key_env:
        raise click.UsageError("give --api-key or --api-key-env, not both")
    spec, resolved = _check(kind, dialect, base_url)
    if label:
        try:
            check_label(label)
        except AccountError as error:
            raise click.UsageError(str(error)) from None
    if api_key:
        err_console.print(f"[yellow]{HISTORY_WARNING}[/]")
    elif not api_key_env and spec.needs_key:
        api_key = _asked_key(kind)
    if api_key_env and not os.environ.get(api_key_env):
        err_console.print(
            f"[yellow]note:[/] {escape(api_key_env)} is not set here; dragoman reads it at start."
        )
    draft = Account(
        provider=kind,
        label=label or "",
        api_key=api_key or None,
        api_key_env=api_key_env,
        base_url=base_url,
        dialect=dialect,
        models=models,
    )
    stored = asyncio.run(_add(settings, draft))
    label, key = escape(stored.label), escape(_key(stored))
    console.print(
        f"Added account {stored.id} [bold]{label}[/] ({kind}, {resolved}, key {key}). "
        f"Clients choose it with {label}/MODEL; a running dragoman serves it within seconds."
    )


@accounts.command("list")
@home_options
@json_option
def list_(home: str | None, config_file: str | None, as_json: bool) -> None:
    """List the stored accounts, keys masked."""
    settings = load_settings(home, config_file)
    rows = asyncio.run(_list(settings))
    if as_json:
        print_json([_row(account) for account in rows])
    elif not rows:
        console.print("No accounts yet. Add one with `dragoman accounts add --provider KIND`.")
    else:
        print_rows(console, _tables(rows), map(_block, rows))


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
    if spec.oauth is not None:
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
        database = await open_database(settings.effective_database_url)
    else:
        database = await open_existing(settings.effective_database_url)
    try:
        yield AccountStore(database.engine) if database is not None else None
    finally:
        if database is not None:
            await database.close()


async def _add(settings: Settings, draft: Account) -> Account:
    reserved = {*settings.providers, *RESERVED_LABELS}
    async with _store(settings, create=True) as store:
        assert store is not None
        try:
            return await store.add(draft, reserved=reserved)
        except AccountError as error:
            raise ConfigProblem(str(error)) from None


async def _list(settings: Settings) -> list[Account]:
    async with _store(settings, create=False) as store:
        return await store.list() if store is not None else []


async def _remove(settings: Settings, key: str) -> Account | None:
    async with _store(settings, create=False) as store:
        return await store.remove(key) if store is not None else None


def _row(account: Account) -> dict[str, Any]:
    """An account as shown: every secret masked, tokens not even that."""
    spec = discover().get(account.provider)
    return {
        "id": account.id,
        "label": account.label,
        "provider": account.provider,
        "auth": account.auth,
        "dialect": account.dialect or (spec.default_dialect if spec else None),
        "base_url": _shown_url(account.base_url or (spec.base_url if spec else None)),
        "api_key": mask(account.api_key) if account.api_key else None,
        "api_key_env": account.api_key_env,
        "models": list(account.models),
        "email": account.email,
        "plan": account.plan,
        "expires_at": account.expires_at,
        "created_at": datetime.fromtimestamp(account.created_at).isoformat(timespec="seconds"),
    }


# Narrower terminals drop these columns, in this order; `--json` has them all.
OPTIONAL_COLUMNS = ("dialect", "base URL")


def _tables(rows: list[Account]) -> list[Table]:
    return [_table(rows, OPTIONAL_COLUMNS[:kept]) for kept in range(len(OPTIONAL_COLUMNS), -1, -1)]


def _table(rows: list[Account], optional: tuple[str, ...]) -> Table:
    """Model ids and keys are never wrapped within: a terminal too narrow for this
    layout gets one with fewer columns, or no table (`print_rows`)."""
    headers = ["id", "label", "provider", *optional, "key", "models"]
    table = Table(*headers[:-2])
    table.add_column("key", no_wrap=True)
    table.add_column("models")
    for cells in map(_cells, rows):
        table.add_row(*(cells[header] for header in headers))
    return table


def _cells(account: Account) -> dict[str, Text]:
    row = _row(account)
    return {
        "id": plain(str(row["id"])),
        "label": plain(row["label"]),
        "provider": plain(row["provider"]),
        "dialect": plain(row["dialect"]),
        "key": plain(_key(account)),
        "base URL": plain(row["base_url"]),
        "models": plain(", ".join(row["models"]), empty="(all it lists)"),
    }


def _block(account: Account) -> Block:
    """One account as lines, for a terminal too narrow for any table."""
    cells = _cells(account)
    head = Text.assemble(cells["label"], (f" (account {account.id})", "dim"))
    details = Text(f"    {account.provider} · {cells['dialect']} · key {cells['key']} · {cells['base URL']}")
    models = [Text(f"    {model}") for model in account.models] or [Text("    (all models it lists)")]
    return [head, details, *models]


def _shown_url(url: str | None) -> str | None:
    # A base URL may carry credentials (`user:password@`, `?key=`), shown like a key.
    return masked_url(url) if url else None


def _key(account: Account) -> str:
    """How the account's key is shown: masked, or the variable it comes from."""
    if account.api_key:
        return mask(account.api_key)
    if account.api_key_env:
        return f"${account.api_key_env}"
    return "oauth" if account.auth == "oauth" else "none"

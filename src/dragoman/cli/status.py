"""`dragoman status` and `dragoman refresh`: subscription accounts at a glance, and
their tokens renewed on demand (safely beside a running gateway: refreshes take the
same per-account lock)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import click
import httpx
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from dragoman.auth import tokens
from dragoman.auth.endpoints import base_url_for, subscription_kinds
from dragoman.auth.refresh import TokenKeeper, expired
from dragoman.auth.status import describe_windows, local_time, relative, status_row
from dragoman.auth.store import CredentialStore
from dragoman.cli.common import console, home_options, json_option, load_settings, print_json
from dragoman.cli.login import credential_store, named_kind
from dragoman.config import Settings
from dragoman.observe.redact import redact
from dragoman.store.accounts import Account


@click.command()
@click.option("--provider", "kind", metavar="KIND", help="Only this provider's accounts.")
@click.option("--no-usage", is_flag=True, help="Do not ask the providers for current usage.")
@home_options
@json_option
def status(
    kind: str | None, no_usage: bool, home: str | None, config_file: str | None, as_json: bool
) -> None:
    """Subscription accounts: plan, token expiry, last refresh, health, usage, risk."""
    settings = load_settings(home, config_file)
    if kind is not None:
        named_kind(kind)
    rows = asyncio.run(_status(settings, kind, usage=not no_usage))
    if as_json:
        print_json(rows)
    elif not rows:
        console.print("No subscription accounts. Log in with `dragoman login` or `dragoman import KIND`.")
    else:
        console.print(_table(rows))
        for row in rows:
            if row["problem"]:
                text = f"{row['label']}: {row['health']}: {redact(row['problem'])}"
                console.print(text, style="red", markup=False, highlight=False)
        for notice in dict.fromkeys(row["risk"] for row in rows if row["risk"]):
            console.print(f"[yellow]risk:[/] {notice}", highlight=False)


@click.command()
@click.option("--provider", "kind", metavar="KIND", help="Only this provider's accounts.")
@click.option("--account", "key", metavar="ID_OR_LABEL", help="Only this account.")
@home_options
@json_option
def refresh(
    kind: str | None, key: str | None, home: str | None, config_file: str | None, as_json: bool
) -> None:
    """Refresh subscription tokens now."""
    settings = load_settings(home, config_file)
    if kind is not None:
        named_kind(kind)
    outcomes = asyncio.run(_refresh(settings, kind, key))
    if as_json:
        print_json(outcomes)
        return
    if not outcomes:
        raise click.ClickException("no subscription account to refresh")
    for outcome in outcomes:
        if outcome["ok"]:
            console.print(f"[green]refreshed[/] {outcome['label']}: expires {_expiry(outcome['expires_at'])}")
        else:
            # The reason is the provider's text: printed as it is, never read as markup.
            console.print(f"[red]failed[/] {outcome['label']}: {escape(redact(outcome['error']))}")
    if not all(outcome["ok"] for outcome in outcomes):
        raise SystemExit(1)


async def _status(settings: Settings, kind: str | None, *, usage: bool) -> list[dict[str, Any]]:
    async with credential_store(settings, create=False) as store:
        logins = await store.logins(kind) if store is not None else []
    if not usage or not logins:
        return [status_row(account) for account in logins]
    async with tokens.new_client(settings.proxy) as client:
        return list(await asyncio.gather(*(_with_usage(settings, client, account) for account in logins)))


async def _with_usage(settings: Settings, client: httpx.AsyncClient, account: Account) -> dict[str, Any]:
    """The row, with the provider's current usage windows when it has an endpoint for them."""
    spec = subscription_kinds().get(account.provider)
    if spec is None or spec.runtime is None or expired(account) or account.access_token is None:
        return status_row(account)
    base_url = base_url_for(spec, settings, account.base_url)
    windows = await spec.runtime.usage(account, client, base_url)
    return status_row(account, windows, time.time()) if windows else status_row(account)


async def _refresh(settings: Settings, kind: str | None, key: str | None) -> list[dict[str, Any]]:
    async with credential_store(settings, create=False) as store:
        if store is None:
            return []
        logins = [
            login for login in await store.logins(kind) if key is None or key in (login.label, str(login.id))
        ]
        keeper = TokenKeeper(CredentialStore(store.engine, store.keys), settings)
        try:
            return await keeper.refresh_each(logins)
        finally:
            await keeper.aclose()


def _table(rows: list[dict[str, Any]]) -> Table:
    table = Table("label", "account", "plan", "token expires", "refreshed", "health", "usage", "risk")
    for row in rows:
        cells = (
            row["label"],
            row["email"] or row["account_id"] or "-",
            row["plan"] or "-",
            _expiry(row["expires_at"]),
            _refreshed(row["refreshed_at"]),
            row["health"],
            describe_windows(row["usage"]),
            "yes" if row["risk"] else "-",
        )
        # Plain text cells: an email, a plan or a window name is never read as markup.
        table.add_row(*(Text(cell) for cell in cells))
    return table


def _expiry(moment: float | None) -> str:
    return f"{relative(moment)} ({local_time(moment)})" if moment is not None else "unknown"


def _refreshed(moment: float | None) -> str:
    # Unknown only for an imported login whose file does not say (dragoman never refreshed it).
    return relative(moment) if moment is not None else "never by dragoman"

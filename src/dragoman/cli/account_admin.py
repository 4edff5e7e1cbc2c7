"""`dragoman accounts list|enable|disable|set|reset`: every account's pool state, and
its pool policy steered, through the admin API (`cli.admin_client`): a running
gateway's when one answers, else the same calls on the home folder.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import click

from dragoman.cli.account_table import print_accounts
from dragoman.cli.admin_client import admin
from dragoman.cli.common import console, home_options, json_option, load_settings, print_json
from dragoman.config import Settings
from dragoman.store.policies import NO_LIMIT

verbose_option = click.option("--verbose", "-v", is_flag=True, help="Say which admin API answered.")


class Limit(click.ParamType):  # type: ignore[type-arg]
    """A concurrency limit: a positive integer, or `none` for no limit (NO_LIMIT, so
    that None still means the option was not given)."""

    name = "N|none"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, str) and value.strip().lower() in ("none", "unlimited"):
            return NO_LIMIT
        try:
            number = int(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a whole number (or none)", param, ctx)
        if number < 1:
            self.fail("at least 1 (or none for no limit)", param, ctx)
        return number


@click.command("list")
@home_options
@json_option
@verbose_option
def list_(home: str | None, config_file: str | None, as_json: bool, verbose: bool) -> None:
    """Every account: state, usage windows, in flight, bound sessions, last error."""
    settings = load_settings(home, config_file)
    accounts = asyncio.run(_listing(settings, verbose))
    if as_json:
        print_json({"accounts": accounts})
    elif not accounts:
        console.print("No accounts yet. Add one with `dragoman accounts add --provider KIND`.")
    else:
        print_accounts(console, accounts)


@click.command()
@click.argument("label")
@home_options
@verbose_option
def enable(label: str, home: str | None, config_file: str | None, verbose: bool) -> None:
    """Serve from this account again."""
    _change(label, {"enabled": True}, home, config_file, verbose)


@click.command()
@click.argument("label")
@home_options
@verbose_option
def disable(label: str, home: str | None, config_file: str | None, verbose: bool) -> None:
    """Stop choosing this account for any request (kept until enabled)."""
    _change(label, {"enabled": False}, home, config_file, verbose)


@click.command("set")
@click.argument("label")
@click.option("--priority", type=click.IntRange(min=0), help="Its tier: lower is preferred (1 before 2).")
@click.option("--weight", type=click.FloatRange(min=0, min_open=True), help="Its share under `weighted`.")
@click.option("--max-concurrent", type=Limit(), help="Requests at once; `none` lifts the limit.")
@home_options
@verbose_option
def set_(
    label: str,
    priority: int | None,
    weight: float | None,
    max_concurrent: int | None,
    home: str | None,
    config_file: str | None,
    verbose: bool,
) -> None:
    """Change an account's pool policy (over its config, kept in the database)."""
    changes: dict[str, Any] = {"priority": priority, "weight": weight}
    changes = {name: value for name, value in changes.items() if value is not None}
    if max_concurrent is not None:
        changes["max_concurrent"] = max_concurrent or None  # NO_LIMIT: the API's null
    if not changes:
        raise click.UsageError("give at least one of --priority, --weight, --max-concurrent")
    _change(label, changes, home, config_file, verbose)


@click.command()
@click.argument("label")
@home_options
@verbose_option
def reset(label: str, home: str | None, config_file: str | None, verbose: bool) -> None:
    """Clear the account's cooldowns (unhealthy too) and its session bindings."""
    settings = load_settings(home, config_file)
    shown = asyncio.run(_reset(settings, label, verbose))
    console.print(f"{label}: {shown['state']['text']}", markup=False, highlight=False)


COMMANDS = (list_, enable, disable, set_, reset)


def _change(
    label: str, changes: Mapping[str, Any], home: str | None, config_file: str | None, verbose: bool
) -> None:
    settings = load_settings(home, config_file)
    shown = asyncio.run(_changed(settings, label, changes, verbose))
    policy = shown["policy"]
    limit = policy["max_concurrent"] if policy["max_concurrent"] is not None else "none"
    console.print(
        f"{label}: {shown['state']['text']}; priority {policy['priority']}, weight {policy['weight']:g}, "
        f"max concurrent {limit}",
        markup=False,
        highlight=False,
    )


async def _listing(settings: Settings, verbose: bool) -> list[dict[str, Any]]:
    async with admin(settings, writes=False, verbose=verbose) as desk:
        return await desk.listing()


async def _changed(
    settings: Settings, label: str, changes: Mapping[str, Any], verbose: bool
) -> dict[str, Any]:
    async with admin(settings, writes=True, verbose=verbose) as desk:
        return await desk.change(label, changes)


async def _reset(settings: Settings, label: str, verbose: bool) -> dict[str, Any]:
    async with admin(settings, writes=True, verbose=verbose) as desk:
        return await desk.reset(label)

"""`dragoman usage`: tokens, requests and cost per day and account, model or key, from
the usage ledger (the running gateway's `/v1/usage`, or the database when none runs)."""

from __future__ import annotations

from typing import Any

import click
from rich import box
from rich.table import Table
from rich.text import Text

from dragoman.cli.common import console, home_options, json_option, load_settings, print_json
from dragoman.cli.gateway_api import call, online_or_offline, url_option, with_engine
from dragoman.config import Settings
from dragoman.observe.traces.filters import UsageQuery


@click.command()
@click.option("--by", "by", type=click.Choice(["account", "model", "key"]), default="account",
              show_default=True, help="Per day and this.")  # fmt: skip
@click.option("--since", default="7d", show_default=True, metavar="AGE_OR_TIME", help="From then on.")
@click.option("--savings", is_flag=True, help="What routing rules and auto saved, against the baseline.")
@url_option
@home_options
@json_option
def usage(
    by: str, since: str, savings: bool, url: str | None, home: str | None, config_file: str | None,
    as_json: bool,
) -> None:  # fmt: skip
    """Tokens and cost per day, by account, model or key."""
    settings = load_settings(home, config_file)
    if savings:
        _savings(settings, since, url, as_json)
        return
    query = _query(("day", by), since)
    rows = online_or_offline(
        lambda: call(settings, url, "GET", "/v1/usage", group_by=f"day,{by}", since=since)["usage"],
        lambda: _stored(settings, query),
    )
    if as_json:
        print_json(rows or [])
    elif not rows:
        console.print("No usage recorded yet.")
    else:
        console.print(_table(rows, by))


def _query(group_by: tuple[str, ...], since: str) -> UsageQuery:
    try:
        return UsageQuery(group_by=group_by, since=since)  # type: ignore[arg-type]
    except ValueError:
        raise click.BadParameter("an age (30m, 12h, 7d) or a time", param_hint="--since") from None


async def _stored(settings: Settings, query: UsageQuery) -> list[dict[str, Any]] | None:
    from dragoman.observe.traces.query import usage as ledger_usage

    return await with_engine(settings, lambda engine: ledger_usage(engine, query))


# (header, ledger column): what fits 80 columns; `--json` has every column.
SHOWN = (("req", "requests"), ("input", "input_uncached"), ("cached", "cache_read"), ("output", "output"))


def _table(rows: list[dict[str, Any]], by: str) -> Table:
    table = Table("day", box=box.SIMPLE_HEAD)
    table.add_column(by, no_wrap=True, min_width=min(24, max(len(str(row[by])) for row in rows)))
    for header, _ in SHOWN:
        table.add_column(header, justify="right")
    table.add_column("cost", justify="right")
    for row in rows:
        cost = "-" if row["cost"] is None else f"${row['cost']:.4f}"
        cells = (row["day"], row[by] or "-", *(f"{row[name]:,}" for _, name in SHOWN), cost)
        table.add_row(*(Text(cell) for cell in cells))
    return table


def _savings(settings: Settings, since: str, url: str | None, as_json: bool) -> None:
    """The routed requests' cost against their baselines' (`dragoman.policy.savings`),
    from the ledger grouped by route."""
    from dragoman.policy.savings import savings

    query = _query(("route",), since)
    ledger = online_or_offline(
        lambda: call(settings, url, "GET", "/v1/usage", group_by="route", since=since)["usage"],
        lambda: _stored(settings, query),
    )
    rows = savings(ledger or [])
    if as_json:
        print_json(rows)
    elif not rows:
        console.print("No routed request since then: no rule applied and nothing asked for auto.")
    else:
        console.print(_savings_table(rows))


def _savings_table(rows: list[dict[str, Any]]) -> Table:
    table = Table("routed by", "req", "unpriced", "cost", "baseline", "saved", box=box.SIMPLE_HEAD)
    for row in rows:
        money = (f"${row[name]:.4f}" for name in ("cost", "baseline_cost", "saved"))
        table.add_row(row["route"], f"{row['requests']:,}", f"{row['unpriced']:,}", *money)
    return table

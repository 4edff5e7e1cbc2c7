"""`dragoman models`: every model the gateway serves, and what serves it."""

from __future__ import annotations

import asyncio

import click
from rich.markup import escape
from rich.table import Table

from dragoman.cli.common import console, err_console, home_options, json_option, load_settings, print_json
from dragoman.config import Settings
from dragoman.providers.http import UpstreamClients
from dragoman.providers.upstream import Skipped, skipped_providers
from dragoman.routing.catalog import load_catalog
from dragoman.routing.registry import Entry, Registry


@click.command()
@click.option(
    "--provider", help="Only the models of this provider (its [providers.NAME] name or account label)."
)
@click.option("--live", is_flag=True, help="Also ask each upstream which models it lists now.")
@home_options
@json_option
def models(
    provider: str | None, live: bool, home: str | None, config_file: str | None, as_json: bool
) -> None:
    """List the models clients can ask for."""
    settings = load_settings(home, config_file)
    registry = asyncio.run(_registry(settings, live))
    skipped = skipped_providers(settings)
    entries = [entry for entry in registry.entries() if provider in (None, entry.upstream.name)]
    if as_json:
        print_json(
            {"models": [_row(entry) for entry in entries], "skipped": [_skipped(item) for item in skipped]}
        )
        return
    for item in skipped:
        err_console.print(f"[yellow]not served:[/] {escape(item.reason)}")
    if entries:
        console.print(_table(entries))
    elif not skipped:
        console.print(
            "No models yet. Add a [providers.NAME] table to the file `dragoman config path` prints, "
            "or run `dragoman accounts add --provider KIND`."
        )


async def _registry(settings: Settings, live: bool) -> Registry:
    """The registry `dragoman serve` would start with; with `live`, as it is once the
    upstreams' own lists are read (an upstream that cannot be reached keeps its own)."""
    catalog = await load_catalog(settings)
    if live:
        clients = UpstreamClients()
        try:
            await catalog.live.refresh(clients, catalog.sources())
        finally:
            await clients.aclose()
    return catalog.registry()


def _row(entry: Entry) -> dict[str, object]:
    info = entry.info
    return {
        "id": entry.id,
        "provider": entry.upstream.name,
        "upstream_model": entry.alias_of or entry.id,
        "dialect": entry.upstream.dialect,
        "context_window": info.context_window,
        "max_output_tokens": info.max_output_tokens,
        "tools": info.tools,
        "vision": info.vision,
        "reasoning": info.reasoning,
        "alias_of": entry.alias_of,
    }


def _skipped(item: Skipped) -> dict[str, str]:
    return {"provider": item.name, "reason": item.reason}


def _table(entries: list[Entry]) -> Table:
    table = Table("model", "provider", "dialect", "context", "output", "capabilities")
    for entry in entries:
        info = entry.info
        name = f"{entry.id} [dim]-> {entry.alias_of}[/]" if entry.alias_of else entry.id
        capabilities = ", ".join(
            label
            for label, has in (("tools", info.tools), ("vision", info.vision), ("reasoning", info.reasoning))
            if has
        )
        table.add_row(
            name,
            entry.upstream.name,
            entry.upstream.dialect,
            f"{info.context_window:,}" if info.context_window else "-",
            f"{info.max_output_tokens:,}" if info.max_output_tokens else "-",
            capabilities,
        )
    return table

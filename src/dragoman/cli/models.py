"""`dragoman models`: every model the gateway serves, and what serves it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import click
from rich.table import Table
from rich.text import Text

from dragoman.cli.common import console, err_console, home_options, json_option, load_settings, print_json
from dragoman.cli.tables import Block, plain, print_rows
from dragoman.config import Settings
from dragoman.ir.models import ModelInfo
from dragoman.providers.http import UpstreamClients
from dragoman.providers.upstream import Skipped, skipped_providers
from dragoman.routing.catalog import load_catalog
from dragoman.routing.registry import Entry, Registry

NOTHING_YET = (
    "No models yet. Add a [providers.NAME] table to the file `dragoman config path` prints, "
    "or run `dragoman accounts add --provider KIND`."
)


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
    if provider is not None:
        _check_provider(registry, skipped, provider)
    entries = [entry for entry in registry.entries() if provider in (None, entry.upstream.name)]
    if as_json:
        print_json(
            {"models": [_row(entry) for entry in entries], "skipped": [_skipped(item) for item in skipped]}
        )
        return
    for item in skipped:
        err_console.print(Text.assemble(("not served: ", "yellow"), item.reason))
    if entries:
        print_rows(console, _tables(entries), map(_block, entries))
    elif not skipped:
        console.print(NOTHING_YET, markup=False)


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


def _check_provider(registry: Registry, skipped: list[Skipped], name: str) -> None:
    """A usage error (exit 1) when `--provider` names no upstream that is served."""
    if registry.upstream(name) is not None:
        return
    reasons = {item.name: item.reason for item in skipped}
    if name in reasons:
        raise click.ClickException(f"provider {name!r} is not served: {reasons[name]}")
    known = ", ".join(upstream.name for upstream in registry.upstreams) or "none yet"
    raise click.ClickException(f"no provider {name!r} (configured and stored: {known})")


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


# What each column shows; narrower terminals drop columns (`LAYOUTS`), `--json` has all.
COLUMNS: dict[str, Callable[[Entry], str]] = {
    "provider": lambda entry: entry.upstream.name,
    "dialect": lambda entry: entry.upstream.dialect,
    "context": lambda entry: _count(entry.info.context_window),
    "output": lambda entry: _count(entry.info.max_output_tokens),
    "capabilities": lambda entry: _capabilities(entry.info),
}
LAYOUTS = [
    tuple(COLUMNS),
    ("provider", "context", "output", "capabilities"),
    ("provider", "context", "output"),
]


def _tables(entries: list[Entry]) -> list[Table]:
    return [_table(entries, layout) for layout in LAYOUTS]


def _table(entries: list[Entry], columns: tuple[str, ...]) -> Table:
    """Model ids are never wrapped: in a terminal too narrow, `print_rows` takes a
    layout with fewer columns, or no table."""
    names = [_name(entry) for entry in entries]
    table = Table()
    # rich measures a column by its longest word: the minimum says the ids are whole.
    table.add_column("model", no_wrap=True, min_width=max(len(name) for name in names))
    for header in columns:
        table.add_column(header)
    for entry, name in zip(entries, names, strict=True):
        table.add_row(name, *(plain(COLUMNS[header](entry)) for header in columns))
    return table


def _block(entry: Entry) -> Block:
    """One model as lines, for a terminal too narrow for the table."""
    info, upstream = entry.info, entry.upstream
    limits = f"context {_count(info.context_window)} · output {_count(info.max_output_tokens)}"
    return [
        _name(entry),
        Text(f"    {upstream.name} · {upstream.dialect}"),
        Text(f"    {limits}" + (f" · {_capabilities(info)}" if _capabilities(info) else "")),
    ]


def _name(entry: Entry) -> Text:
    if entry.alias_of is None:
        return Text(entry.id)
    return Text.assemble(entry.id, (f" -> {entry.alias_of}", "dim"))


def _count(tokens: int | None) -> str:
    return f"{tokens:,}" if tokens else "-"


def _capabilities(info: ModelInfo) -> str:
    flags = (("tools", info.tools), ("vision", info.vision), ("reasoning", info.reasoning))
    return ", ".join(label for label, has in flags if has)

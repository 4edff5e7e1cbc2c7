"""`dragoman batches list|show|cancel`: the Anthropic message batches this dragoman runs,
through a running gateway's API, else the home folder's database (`cli.batch_client`)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar

import click
from rich.table import Table
from rich.text import Text

from dragoman.auth.status import local_time
from dragoman.cli.batch_client import Batches, batch_api
from dragoman.cli.common import console, home_options, json_option, load_settings, print_json
from dragoman.cli.tables import plain, print_rows

T = TypeVar("T")
COLUMNS = ("id", "status", "requests", "created", "ended")
COUNTS = ("processing", "succeeded", "errored", "canceled", "expired")

verbose_option = click.option("--verbose", "-v", is_flag=True, help="Say which API answered.")


@click.group()
def batches() -> None:
    """Anthropic message batches (POST /v1/messages/batches), answered in the background."""


@batches.command("list")
@home_options
@json_option
@verbose_option
def list_(home: str | None, config_file: str | None, as_json: bool, verbose: bool) -> None:
    """The newest batches, their state and their requests' counts."""
    found = _run(home, config_file, verbose, lambda api: api.listing())
    if as_json:
        print_json({"data": found})
    elif not found:
        console.print("No message batches.")
    else:
        table = Table(*COLUMNS)
        for batch in found:
            table.add_row(*(plain(text) for text in cells(batch).values()))
        blocks = [[Text(f"{column}: {text}") for column, text in cells(batch).items()] for batch in found]
        print_rows(console, [table], blocks)


@batches.command()
@click.argument("batch_id")
@home_options
@json_option
@verbose_option
def show(batch_id: str, home: str | None, config_file: str | None, as_json: bool, verbose: bool) -> None:
    """One batch: its state, counts, times and where its results are."""
    _print(_run(home, config_file, verbose, lambda api: api.one(batch_id)), as_json)


@batches.command()
@click.argument("batch_id")
@home_options
@json_option
@verbose_option
def cancel(batch_id: str, home: str | None, config_file: str | None, as_json: bool, verbose: bool) -> None:
    """Cancel the requests not sent yet; those being answered finish."""
    _print(_run(home, config_file, verbose, lambda api: api.cancel(batch_id)), as_json)


def cells(batch: dict[str, Any]) -> dict[str, str]:
    counts = batch["request_counts"]
    return {
        "id": batch["id"],
        "status": batch["processing_status"],
        "requests": ", ".join(f"{counts[name]} {name}" for name in COUNTS if counts[name]) or "-",
        "created": _when(batch["created_at"]),
        "ended": _when(batch["ended_at"]),
    }


def _print(batch: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print_json(batch)
        return
    for column, text in cells(batch).items():
        console.print(Text(f"{column + ':':9} {text}"), soft_wrap=True)
    console.print(Text(f"{'results:':9} {batch['results_url'] or '(once it has ended)'}"), soft_wrap=True)


def _when(moment: str | None) -> str:
    return "-" if moment is None else local_time(datetime.fromisoformat(moment).timestamp())


def _run(
    home: str | None, config_file: str | None, verbose: bool, call: Callable[[Batches], Awaitable[T]]
) -> T:
    settings = load_settings(home, config_file)

    async def run() -> T:
        async with batch_api(settings, verbose=verbose) as api:
            return await call(api)

    return asyncio.run(run())

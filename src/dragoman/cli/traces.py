"""`dragoman traces`: tail (live), show, export and purge request traces.

`tail` follows the running gateway's `/v1/traces/stream`. The others ask the running
gateway and, when none runs, read the home database directly with the same queries
(`observe.traces.query`), so they work on a stopped gateway's history too.
"""

from __future__ import annotations

import time
from typing import Any, TextIO

import click
import httpx
import orjson
from rich.table import Table
from rich.text import Text

from dragoman.cli.common import console, err_console, home_options, json_option, load_settings, print_json
from dragoman.cli.gateway_api import (
    call,
    gateway_url,
    headers,
    message_of,
    online_or_offline,
    url_option,
    with_engine,
)
from dragoman.config import Settings
from dragoman.observe.traces.filters import PurgeQuery, TraceQuery


@click.group()
def traces() -> None:
    """Request traces: what went where, on which account, why, with what usage."""


@traces.command()
@url_option
@home_options
def tail(url: str | None, home: str | None, config_file: str | None) -> None:
    """Follow requests live as they end (Ctrl-C to stop)."""
    settings = load_settings(home, config_file)
    base = gateway_url(settings, url)
    try:
        with httpx.stream(
            "GET", base + "/v1/traces/stream", headers=headers(settings), timeout=None
        ) as answer:
            if answer.status_code >= 400:
                answer.read()
                raise click.ClickException(f"the gateway answered {answer.status_code}: {message_of(answer)}")
            err_console.print(f"following {base} (Ctrl-C to stop)")
            _follow(answer.iter_lines())
    except httpx.ConnectError:
        raise click.ClickException(
            f"no dragoman is serving at {base} (start it with `dragoman serve`)"
        ) from None
    except KeyboardInterrupt:
        pass


def _follow(lines: Any) -> None:
    event = "trace"
    for line in lines:
        if line.startswith("event: "):
            event = line.removeprefix("event: ")
        elif line.startswith("data: "):
            data = orjson.loads(line.removeprefix("data: "))
            if event == "dropped":
                err_console.print(f"({data['dropped']} requests not shown: this terminal fell behind)")
            else:
                console.print(row_line(data), highlight=False)


def row_line(trace: dict[str, Any]) -> Text:
    """One request on one line: time, client, model -> account, status, TTFB, duration, tokens."""
    moment = time.strftime("%H:%M:%S", time.localtime(trace["time"]))
    route = trace["model"] or "-"
    if trace["account"]:
        route += f" -> {trace['account']}/{trace['upstream_model'] or '-'}"
    status = str(trace["status"]) + (f" {trace['ended']}" if trace["ended"] not in (None, "ok") else "")
    style = "red" if trace["status"] >= 400 or trace["ended"] not in (None, "ok") else "green"
    usage = trace["usage"] or {}
    line = Text(f"{moment}  {(trace['client'] or '-'):<16} {route}  ")
    line.append(status, style=style)
    line.append(f"  ttfb {_ms(trace['ttfb_ms'])}  total {_ms(trace['duration_ms'])}")
    line.append(f"  in {usage.get('input', 0)} out {usage.get('output', 0)}  {trace['id']}", style="dim")
    return line


def _ms(value: float | None) -> str:
    return f"{value:.0f}ms" if value is not None else "-"


@traces.command()
@click.argument("trace_id")
@url_option
@home_options
@json_option
def show(trace_id: str, url: str | None, home: str | None, config_file: str | None, as_json: bool) -> None:
    """One request's trace: its attempts, usage and, when kept, its bodies."""
    settings = load_settings(home, config_file)
    trace = online_or_offline(
        lambda: call(settings, url, "GET", f"/v1/traces/{trace_id}"),
        lambda: _stored_trace(settings, trace_id),
    )
    if trace is None:
        raise click.ClickException(f"no trace {trace_id!r}")
    if as_json:
        print_json(trace)
        return
    console.print(row_line(trace), highlight=False)
    console.print(
        Text(f"reason: {trace['reason'] or '-'}   dialect: {trace['dialect']}   route: {trace['route']}")
    )
    routing = trace.get("routing")  # absent from traces kept before routing existed
    if routing:
        console.print(Text(f"routed: {routing['requested']} -> {routing['model']}   {_routed(routing)}"))
    console.print(_attempts(trace["attempts"]))
    for name, body in _bodies(trace["bodies"]):
        console.print(Text(f"--- {name}", style="bold"))
        console.print(Text(body))


def _routed(routing: dict[str, Any]) -> str:
    """The routing decision as `x-dragoman-route` gave it (`dragoman.policy.Decision`)."""
    return f"tier={routing['tier'] or '-'}; reason={routing['reason']}"


def _attempts(attempts: list[dict[str, Any]]) -> Table:
    table = Table("account", "url", "status", "latency", "error", "cooldown")
    for attempt in attempts:
        status = str(attempt["status"] or "-")
        cells = (attempt["account"], attempt["url"], status, _ms(attempt["latency_ms"]),
                 attempt["error"] or "-", attempt["cooldown"] or "-")  # fmt: skip
        table.add_row(*(Text(cell) for cell in cells))
    return table


def _bodies(bodies: dict[str, Any] | None) -> list[tuple[str, str]]:
    if not bodies:
        return []
    shown = [("client request", bodies["client_request"])]
    for n, upstream in enumerate(bodies["upstream"], start=1):
        shown += [
            (f"upstream request {n}", upstream["request"]),
            (f"upstream answer {n}", upstream["answer"]),
        ]
    return shown


@traces.command()
@click.option("--jsonl", is_flag=True, required=True, help="One JSON trace per line (the only format).")
@click.option("-o", "--output", type=click.File("w"), default="-", help="Write here. [default: stdout]")
@click.option("--since", metavar="AGE_OR_TIME", help="Only traces since then (7d, 12h, an ISO time).")
@click.option("--model", help="Only requests for this model.")
@click.option("--account", help="Only requests served by this account.")
@url_option
@home_options
def export(
    jsonl: bool, output: TextIO, since: str | None, model: str | None, account: str | None,
    url: str | None, home: str | None, config_file: str | None,
) -> None:  # fmt: skip
    """Every trace, newest first, as JSON lines (bodies are in `traces show`)."""
    settings = load_settings(home, config_file)
    query = TraceQuery(since=since, model=model, account=account, limit=1000)  # type: ignore[arg-type]
    found = online_or_offline(lambda: _all_online(settings, url, query), lambda: _all_stored(settings, query))
    for trace in found or []:
        output.write(orjson.dumps(trace).decode() + "\n")


def _all_online(settings: Settings, url: str | None, query: TraceQuery) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    cursor: str | None = None
    params = query.model_dump(exclude_none=True, exclude={"cursor"})
    while True:
        page = call(settings, url, "GET", "/v1/traces", **params, cursor=cursor)
        found += page["traces"]
        cursor = page["next"]
        if cursor is None:
            return found


@traces.command()
@click.option("--older-than", metavar="AGE", help="Purge traces older than this (7d, 12h, 30m).")
@click.option("--all", "everything", is_flag=True, help="Purge every trace.")
@url_option
@home_options
@json_option
def purge(
    older_than: str | None, everything: bool, url: str | None, home: str | None, config_file: str | None,
    as_json: bool,
) -> None:  # fmt: skip
    """Delete traces (the usage ledger stays). One of --older-than or --all."""
    settings = load_settings(home, config_file)
    try:
        query = PurgeQuery(older_than=older_than, all=everything)  # type: ignore[arg-type]
    except ValueError:
        raise click.UsageError("give --older-than AGE (e.g. 7d) or --all") from None
    params = {"older_than": older_than, "all": "true" if everything else None}
    answer = online_or_offline(
        lambda: call(settings, url, "DELETE", "/v1/traces", **params),
        lambda: _purge_stored(settings, query),
    )
    purged = (answer or {"purged": 0})["purged"]
    print_json({"purged": purged}) if as_json else console.print(f"purged {purged} traces")


async def _stored_trace(settings: Settings, trace_id: str) -> dict[str, Any] | None:
    from dragoman.observe.traces.query import get_trace

    return await with_engine(settings, lambda engine: get_trace(engine, trace_id))


async def _all_stored(settings: Settings, query: TraceQuery) -> list[dict[str, Any]] | None:
    from dragoman.observe.traces.query import all_traces

    return await with_engine(settings, lambda engine: all_traces(engine, query))


async def _purge_stored(settings: Settings, query: PurgeQuery) -> dict[str, int] | None:
    from dragoman.observe.traces.query import purge as purge_stored

    async def purged(engine: Any) -> dict[str, int]:
        return {"purged": await purge_stored(engine, query.before)}

    return await with_engine(settings, purged)

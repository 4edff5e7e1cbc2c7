"""`dragoman test PROVIDER`: one small real request to an upstream, to see that it works.

The request is built by `server.upstream_call.prepare` and its answer read by the
upstream dialect's parsers, as the relay does, so a pass here means the gateway's own
path to that upstream works: address, key, headers, quirks and the dialect.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from time import perf_counter
from typing import Any

import click
import orjson
from rich.markup import escape

from dragoman import sse
from dragoman.auth.refresh import TokenKeeper
from dragoman.auth.store import CredentialStore
from dragoman.cli.common import ConfigProblem, console, home_options, json_option, load_settings, print_json
from dragoman.config import ConfigError, Settings
from dragoman.config.masking import masked_url
from dragoman.dialects import Dialect
from dragoman.ir import Message, Request, Text
from dragoman.ir.errors import GatewayError, UpstreamError
from dragoman.ir.response import Response, accumulate
from dragoman.observe.redact import redact
from dragoman.providers.http import UpstreamClients, UpstreamResponse, read_all
from dragoman.providers.upstream import Upstream
from dragoman.routing.catalog import load_catalog
from dragoman.routing.live import fetch, wants_live
from dragoman.routing.registry import Route
from dragoman.server.upstream_call import prepare
from dragoman.store import open_database
from dragoman.store.accounts import Account
from dragoman.store.keyring import Keyring

PROMPT = "Reply with OK"
MAX_TOKENS = 32
REPLY_WORDS = 12

# Response headers that tell how much of the account's allowance is left.
RATE_LIMIT_PREFIXES = (
    "x-ratelimit-",
    "x-rate-limit-",
    "ratelimit-",
    "anthropic-ratelimit-",
    "x-codex-",
    "retry-after",
)


@dataclass(slots=True)
class Outcome:
    """What one test request gave."""

    provider: str
    model: str
    dialect: str
    url: str
    status: int | None = None
    latency_ms: float | None = None
    reply: str | None = None
    stop_reason: str | None = None
    rate_limits: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    # The upstream's `Date` header: `dragoman doctor --online` compares clocks with it.
    server_date: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@click.command("test")
@click.argument("provider")
@click.option("--model", help="The model to ask. [default: the provider's first model]")
@home_options
@json_option
@click.pass_context
def test(
    ctx: click.Context,
    provider: str,
    model: str | None,
    home: str | None,
    config_file: str | None,
    as_json: bool,
) -> None:
    """Send PROVIDER one small real request; print status, latency, reply and rate limits."""
    settings = load_settings(home, config_file)
    outcome = asyncio.run(_run(settings, provider, model))
    if as_json:
        print_json({**asdict(outcome), "ok": outcome.ok})
    else:
        _print(outcome)
    ctx.exit(0 if outcome.ok else 1)


async def _run(settings: Settings, name: str, model: str | None) -> Outcome:
    try:
        catalog = await load_catalog(settings)
    except ConfigError as error:
        raise ConfigProblem(str(error)) from None
    upstream = next((up for up in catalog.upstreams() if up.name == name), None)
    if upstream is None:
        known = ", ".join(up.name for up in catalog.sources()) or "none yet"
        raise click.ClickException(f"no provider {name!r} (configured and stored: {known})")
    clients = UpstreamClients()
    try:
        chosen = model or await _first_model(clients, upstream)
        account = await _fresh_login(settings, clients, upstream) if upstream.account_id is not None else None
        return await check(clients, upstream, chosen, account)
    finally:
        await clients.aclose()


async def _first_model(clients: UpstreamClients, upstream: Upstream) -> str:
    if upstream.models:
        return upstream.models[0].id
    if wants_live(upstream):
        try:
            listed = await fetch(clients, upstream)
        except (GatewayError, ValueError) as error:
            message = f"{upstream.name} lists no models ({_reason(error)}); give --model"
            raise click.ClickException(message) from None
        if listed:
            return listed[0].id
    raise click.ClickException(f"{upstream.name} names no models: give --model")


async def _fresh_login(settings: Settings, clients: UpstreamClients, upstream: Upstream) -> Account:
    """A subscription upstream's account with a fresh token (refreshed if need be)."""
    database = await open_database(
        settings.effective_database_url, Keyring(settings.home), options=settings.database
    )
    keeper = TokenKeeper(CredentialStore(database.engine, database.keys), settings)
    try:
        return await keeper.ready(upstream, clients.client(upstream))
    except GatewayError as error:
        raise click.ClickException(_reason(error)) from None
    finally:
        await keeper.aclose()
        await database.close()


async def check(
    clients: UpstreamClients, upstream: Upstream, model: str, account: Account | None = None
) -> Outcome:
    """Ask `upstream` to reply OK with `model` (as `account`, for a subscription login);
    never raises for the upstream's failures."""
    request = Request(model=model, messages=[Message("user", [Text(PROMPT)])], max_tokens=MAX_TOKENS)
    call = prepare(Route(upstream, model), request, account=account)
    # The URL is shown: credentials in a base URL (`user:password@`, `?key=`) are masked.
    outcome = Outcome(upstream.name, model, upstream.dialect, masked_url(call.url))
    started = perf_counter()
    try:
        async with clients.stream(
            upstream, "POST", call.url, content=call.content, headers=call.headers
        ) as sent:
            body = await read_all(upstream, sent)
        outcome.latency_ms = round((perf_counter() - started) * 1000, 1)
        outcome.status, outcome.rate_limits = sent.status_code, _rate_limits(sent.headers)
        outcome.server_date = sent.headers.get("date")
        if sent.status_code >= 400:
            raise call.target.error.parse(sent.status_code, body, sent.headers)
        answer = _answer(call.target, sent, body, upstream.name)
    except GatewayError as error:
        outcome.error = _reason(error)
        return outcome
    outcome.reply, outcome.stop_reason = _first_words(answer.text()), answer.stop_reason
    return outcome


def _answer(target: Dialect, sent: UpstreamResponse, body: bytes, origin: str) -> Response:
    """The whole answer, read as the relay reads it: a stream if the upstream streamed."""
    if sent.headers.get("content-type", "").startswith("text/event-stream"):
        decoder, parser = sse.Decoder(), target.stream.Parser(origin)
        messages = [*decoder.feed(body), *decoder.flush()]
        return accumulate(
            [*(event for message in messages for event in parser.feed(message)), *parser.close()]
        )
    try:
        return target.response.parse(orjson.loads(body), origin=origin)  # type: ignore[no-any-return]
    except orjson.JSONDecodeError:
        raise UpstreamError(f"{origin} answered with something that is not JSON") from None


def _rate_limits(headers: Mapping[str, str]) -> dict[str, str]:
    return {
        name.lower(): value for name, value in headers.items() if name.lower().startswith(RATE_LIMIT_PREFIXES)
    }


def _first_words(text: str) -> str:
    words = text.split()
    return " ".join(words[:REPLY_WORDS]) + (" ..." if len(words) > REPLY_WORDS else "")


def _reason(error: Exception) -> str:
    return redact(error.message if isinstance(error, GatewayError) else str(error) or type(error).__name__)


def _print(outcome: Outcome) -> None:
    mark = "[bold green]ok[/]" if outcome.ok else "[bold red]failed[/]"
    console.print(
        f"{mark} {escape(f'{outcome.provider} · {outcome.model} ({outcome.dialect}) {outcome.url}')}"
    )
    rows: list[tuple[str, Any]] = [
        ("status", outcome.status if outcome.status is not None else "no answer"),
        ("latency", f"{outcome.latency_ms:,.0f} ms" if outcome.latency_ms is not None else "-"),
    ]
    if outcome.ok:
        stop = (
            f"  [dim]({escape(str(outcome.stop_reason))})[/]"
            if outcome.stop_reason not in (None, "end_turn")
            else ""
        )
        rows.append(("reply", f"{escape(outcome.reply or '(no text)')}{stop}"))
    else:
        rows.append(("error", outcome.error))
    for label, value in rows:
        console.print(f"  {label:<9}{value}", highlight=False, markup=label != "error")
    if outcome.rate_limits:
        console.print("  rate limits")
        for name, value in sorted(outcome.rate_limits.items()):
            console.print(f"    {name}: {value}", markup=False)

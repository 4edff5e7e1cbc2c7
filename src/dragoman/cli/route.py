"""`dragoman route explain`: how the gateway would route a saved request, and why."""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click
import orjson
from rich.table import Table

from dragoman.cli.common import console, home_options, json_option, load_settings, print_json
from dragoman.config.routing import DialectName
from dragoman.dialects import DIALECTS
from dragoman.ir.errors import GatewayError
from dragoman.policy import Policy
from dragoman.policy.explain import Explained, explain, guess_dialect, parse, saved
from dragoman.routing.catalog import load_catalog


@click.group()
def route() -> None:
    """How requests are routed: rules and `model: "auto"`."""


@route.command("explain")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dialect", type=click.Choice(sorted(DIALECTS)), help="The body's dialect (else guessed).")
@click.option("--header", "headers", multiple=True, metavar="K:V", help="A request header (repeatable).")
@click.option("--key", default="-", help="The local key's name the request came with (key1, key2, ...).")
@click.option("--model", help="Ask for this model instead of the body's (e.g. auto).")
@home_options
@json_option
def explain_command(
    file: Path,
    dialect: DialectName | None,
    headers: tuple[str, ...],
    key: str,
    model: str | None,
    home: str | None,
    config_file: str | None,
    as_json: bool,
) -> None:
    """Print the routing decision for the request body in FILE, each signal's part in it."""
    settings = load_settings(home, config_file)
    try:
        loaded = saved(orjson.loads(file.read_bytes()))
    except (orjson.JSONDecodeError, ValueError) as error:
        raise click.BadParameter(f"{file} is not a saved request: {error}", param_hint="FILE") from None
    chosen = dialect or guess_dialect(loaded.body, loaded.path)
    try:
        request = parse(loaded, chosen, model)
    except GatewayError as error:
        raise click.BadParameter(f"{file} is not a {chosen} request: {error.message}") from None
    registry = asyncio.run(load_catalog(settings)).registry()
    policy = Policy(settings.auto, settings.routing)
    result = explain(policy, registry, request, chosen, {**loaded.headers, **_headers(headers)}, key)
    if as_json:
        print_json(_json(result))
    else:
        _print(result)


def _headers(pairs: tuple[str, ...]) -> dict[str, str]:
    found = {}
    for pair in pairs:
        name, colon, value = pair.partition(":")
        if not colon or not name.strip():
            raise click.BadParameter(f"{pair!r} is not K:V", param_hint="--header")
        found[name.strip().lower()] = value.strip()
    return found


def _json(result: Explained) -> dict[str, Any]:
    decision = result.decision
    return {
        "dialect": result.dialect,
        "requested": result.requested,
        "refused": result.denied,
        "decision": decision.trace() if decision is not None else None,
        "header": decision.header() if decision is not None else None,
        "signals": asdict(result.found),
        "classification": {
            "tier": result.classification.tier,
            "score": result.classification.score,
            "scores": result.classification.contributions,
        },
        "tiers": result.tiers,
    }


def _print(result: Explained) -> None:
    console.print(f"dialect      {result.dialect}", markup=False)
    console.print(f"requested    {result.requested}", markup=False)
    if result.denied is not None:
        console.print(f"refused      {result.denied}", markup=False)
    elif result.decision is None:
        console.print("decision     none: no rule matches and the model is not auto", markup=False)
    else:
        console.print(f"decision     x-dragoman-route: {result.decision.header()}", markup=False)
    classification = result.classification
    console.print(f"auto tier    {classification.tier} (score {classification.score})", markup=False)
    table = Table("signal", "value", "contribution", box=None)
    for name, value in asdict(result.found).items():
        table.add_row(name, str(value), _contribution(classification.contributions, name))
    for name, value in classification.contributions.items():
        if isinstance(value, str):
            table.add_row(name, "", value)
    console.print(table)
    tiers = ", ".join(f"{tier}={model}" for tier, model in result.tiers.items()) or "none: nothing is served"
    console.print(f"auto tiers   {tiers}", markup=False)


def _contribution(contributions: dict[str, int | str], signal: str) -> str:
    # The classifier names a few signals by what they add up to.
    name = {"system_tokens": "system", "repeated_call": "", "failing_calls": ""}.get(signal, signal)
    value = contributions.get(name) if name else None
    return f"+{value}" if isinstance(value, int) else ""

"""`dragoman keys create|list|show|update|revoke|rotate`: named local keys, each for one
person or tool, with the models it may use and its limits (`policy.key_options`),
through the admin API (`cli.key_admin`): a running gateway's when one answers, else
the home folder's. A key's secret is printed once, when it is made or rotated.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import click

from dragoman.cli.common import console, home_options, json_option, load_settings, print_json
from dragoman.cli.key_admin import Keys, key_admin
from dragoman.cli.key_table import print_key, print_keys

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")

verbose_option = click.option("--verbose", "-v", is_flag=True, help="Say which admin API answered.")
# Options that can be repeated; their values are lists.
LISTS = ("models", "deny")

OPTIONS: tuple[tuple[str, dict[str, Any]], ...] = (
    (
        "--models",
        {"multiple": True, "metavar": "GLOB", "help": "A model it may use (repeatable; default all)."},
    ),
    ("--deny", {"multiple": True, "metavar": "GLOB", "help": "A model it may not use (repeatable)."}),
    ("--budget", {"metavar": "AMOUNT/PERIOD", "help": "Spend per period: 20usd/month, $5/day, 2usd/5h."}),
    ("--tokens", {"metavar": "N/PERIOD", "help": "Tokens per period: 5M/day, 200k/5h."}),
    ("--requests", {"metavar": "N/PERIOD", "help": "Requests per period: 1000/day."}),
    ("--rpm", {"metavar": "N", "help": "Requests per minute (rolling)."}),
    ("--tpm", {"metavar": "N", "help": "Tokens per minute (rolling): 200k."}),
    ("--max-concurrent", {"metavar": "N", "help": "Requests at once."}),
    ("--max-output-tokens", {"metavar": "N", "help": "The most output tokens one request may ask for."}),
    ("--expires", {"metavar": "WHEN", "help": "30d, 12h, 20s, 2027-01-31 or an ISO date-time."}),
    ("--guard", {"metavar": "PERCENT", "help": "Leave a subscription account at this % of a window."}),
)
INTEGERS = ("max_concurrent", "max_output_tokens")


def key_options(function: F) -> F:
    for flag, settings in reversed(OPTIONS):
        function = click.option(flag, **settings)(function)
    return function


@click.group()
def keys() -> None:
    """Named local keys: who may call this dragoman, for which models, within which limits."""


@keys.command()
@click.argument("name")
@key_options
@home_options
@json_option
@verbose_option
def create(
    name: str, home: str | None, config_file: str | None, as_json: bool, verbose: bool, **given: Any
) -> None:
    """Make a key; its secret is printed this once (only its hash is kept)."""
    made = _run(home, config_file, verbose, True, lambda api: api.create(name, _options(given, unset=False)))
    _print_secret(made, as_json, "made")


@keys.command("list")
@home_options
@json_option
@verbose_option
def list_(home: str | None, config_file: str | None, as_json: bool, verbose: bool) -> None:
    """Every key, its limits and what each has used this period."""
    found = _run(home, config_file, verbose, False, lambda api: api.listing())
    if as_json:
        print_json({"keys": found})
    elif not found:
        console.print("No keys yet. Make one with `dragoman keys create NAME`.")
    else:
        print_keys(console, found)


@keys.command()
@click.argument("name")
@home_options
@json_option
@verbose_option
def show(name: str, home: str | None, config_file: str | None, as_json: bool, verbose: bool) -> None:
    """One key: its options as given, its limits and their use."""
    found = _run(home, config_file, verbose, False, lambda api: api.one(name))
    print_json(found) if as_json else print_key(console, found)


@keys.command()
@click.argument("name")
@key_options
@home_options
@json_option
@verbose_option
def update(
    name: str, home: str | None, config_file: str | None, as_json: bool, verbose: bool, **given: Any
) -> None:
    """Change a key's options (`none` unsets one); its secret stays."""
    changes = _options(given, unset=True)
    if not changes:
        raise click.UsageError("give at least one option to change (see --help)")
    found = _run(home, config_file, verbose, True, lambda api: api.update(name, changes))
    print_json(found) if as_json else print_key(console, found)


@keys.command()
@click.argument("name")
@home_options
@json_option
@verbose_option
def revoke(name: str, home: str | None, config_file: str | None, as_json: bool, verbose: bool) -> None:
    """Refuse this key from now on (every worker within seconds)."""
    found = _run(home, config_file, verbose, True, lambda api: api.revoke(name))
    print_json(found) if as_json else console.print(f"key {name} revoked", markup=False)


@keys.command()
@click.argument("name")
@home_options
@json_option
@verbose_option
def rotate(name: str, home: str | None, config_file: str | None, as_json: bool, verbose: bool) -> None:
    """Give the key a new secret (printed this once); the old one is refused."""
    found = _run(home, config_file, verbose, True, lambda api: api.rotate(name))
    _print_secret(found, as_json, "rotated")


def _options(given: dict[str, Any], *, unset: bool) -> dict[str, Any]:
    """The options given, as the admin API takes them; with `unset`, `none` is null."""
    options: dict[str, Any] = {}
    for name, value in given.items():
        if value is None or value == ():
            continue
        if unset and (value == "none" or value == ("none",)):
            options[name] = None
        elif name in LISTS:
            options[name] = list(value)
        else:
            options[name] = _number(name, value)
    return options


def _number(name: str, value: str) -> Any:
    try:
        return int(value) if name in INTEGERS else float(value) if name == "guard" else value
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a number", param_hint=f"--{name.replace('_', '-')}"
        ) from None


def _print_secret(key: dict[str, Any], as_json: bool, done: str) -> None:
    if as_json:
        print_json(key)
        return
    console.print(f"key {key['name']} {done}. Its secret, shown this once:", markup=False)
    console.print(key["secret"], markup=False, soft_wrap=True)


def _run(
    home: str | None,
    config_file: str | None,
    verbose: bool,
    writes: bool,
    call: Callable[[Keys], Awaitable[T]],
) -> T:
    settings = load_settings(home, config_file)

    async def run() -> T:
        async with key_admin(settings, writes=writes, verbose=verbose) as api:
            return await call(api)

    return asyncio.run(run())

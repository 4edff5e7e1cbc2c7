"""`dragoman keys list` and `show`, drawn from the admin API's JSON
(`server.admin.key_desk`): one row per key, each limit with what its period used."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from dragoman.auth.status import local_time, relative
from dragoman.cli.tables import plain, print_rows

Key = dict[str, Any]
COLUMNS = ("name", "key", "state", "models", "limits", "expires", "created")
# Options shown beside the limits (the limits are drawn from "limits").
OTHER_OPTIONS = ("max_concurrent", "max_output_tokens", "guard")


def print_keys(console: Console, keys: Sequence[Key]) -> None:
    table = Table(*COLUMNS)
    for key in keys:
        table.add_row(*(plain(text) for text in cells(key).values()))
    blocks = [[Text(f"{column}: {text}") for column, text in cells(key).items()] for key in keys]
    print_rows(console, [table], blocks)


def print_key(console: Console, key: Key) -> None:
    """One key, a line per field, its options as given."""
    for column, text in cells(key).items():
        console.print(Text(f"{column + ':':9} {text}"), soft_wrap=True)
    console.print(Text(f"{'options:':9} {options_line(key['options']) or '(none)'}"), soft_wrap=True)


def cells(key: Key) -> dict[str, str]:
    return {
        "name": key["name"],
        "key": key["prefix"],
        "state": key["state"],
        "models": models(key["options"]),
        "limits": "\n".join([*map(limit, key["limits"]), *others(key["options"])]) or "-",
        "expires": _when(key["expires_at"]),
        "created": local_time(key["created_at"]),
    }


def models(options: dict[str, Any]) -> str:
    allowed = ", ".join(options.get("models") or ["all"])
    denied = options.get("deny")
    return f"{allowed}; not {', '.join(denied)}" if denied else allowed


def limit(shown: dict[str, Any]) -> str:
    """`budget 3.20/20 usd per month (UTC)`, `rpm 12/60 per rolling 1m`."""
    unit = " usd" if shown["kind"] == "cost" else ""
    used = "" if shown["used"] is None else f"{_number(shown['used'], shown['kind'])}/"
    return f"{shown['name']} {used}{_number(shown['amount'], shown['kind'])}{unit} per {shown['period']}"


def others(options: dict[str, Any]) -> list[str]:
    return [f"{name.replace('_', ' ')} {options[name]:g}" for name in OTHER_OPTIONS if name in options]


def options_line(options: dict[str, Any]) -> str:
    """The options as `keys create` would take them back."""
    parts = []
    for name, value in options.items():
        for one in value if isinstance(value, list) else [value]:
            parts.append(f"--{name.replace('_', '-')} {one}")
    return " ".join(parts)


def _number(amount: float, kind: str) -> str:
    return f"{amount:.2f}" if kind == "cost" else f"{amount:g}"


def _when(moment: float | None) -> str:
    return "never" if moment is None else f"{local_time(moment)} ({relative(moment)})"

"""`dragoman accounts list` as a table: one row per account, drawn from the admin API's
JSON (`server.admin.view`), with times as the local clock and "in 3h" reads them.

Narrower terminals drop the last error, then the windows, then the policy; narrower
still, each account becomes a block of lines (`cli.tables.print_rows`), so a model id
is never cut.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from dragoman.auth.status import local_time, relative
from dragoman.cli.tables import Block, plain, print_rows

Account = dict[str, Any]
COLUMNS = (
    "label",
    "kind",
    "key",
    "state",
    "policy",
    "windows",
    "in flight",
    "sessions",
    "last error",
    "models",
)
AUTH_SHOWN = {"login": " (login)", "none": " (no key)"}
# Dropped in this order when the terminal is too narrow.
OPTIONAL = ("last error", "windows", "policy")


def print_accounts(console: Console, accounts: Sequence[Account]) -> None:
    layouts = [[column for column in COLUMNS if column not in OPTIONAL[:dropped]] for dropped in range(4)]
    tables = [_table(accounts, columns) for columns in layouts]
    print_rows(console, tables, map(_block, accounts))


def cells(account: Account) -> dict[str, str]:
    """Each column's text for one account."""
    return {
        "label": account["label"],
        "kind": account["kind"] + AUTH_SHOWN.get(account["auth"], ""),
        "key": account["key"],  # masked, `$VARIABLE` or a login's email: how users know it
        "state": state(account),
        "policy": policy(account["policy"]),
        "windows": "\n".join(map(window, account["windows"])) or "-",
        "in flight": str(account["in_flight"]),
        "sessions": str(account["sessions"]["count"]),
        "last error": last_error(account["last_error"]),
        "models": "\n".join(account["models"]) or "(all it lists)",
    }


def state(account: Account) -> str:
    shown = account["state"]
    if shown["status"] == "unusable":
        text = str(shown["text"])
    elif shown["status"] != "cooling":
        text = f"{shown['status']}: {shown['reason']}" if shown["reason"] else str(shown["status"])
    else:
        text = f"cooling until {_moment(shown['until'])}: {shown['reason']}"
    narrower = [cooldown for cooldown in account["cooldowns"] if cooldown["scope"] != "account"]
    for cooldown in narrower:
        text += f"\n{cooldown['scope']} {cooldown['kind']} until {_moment(cooldown['until'])}"
    return text


def policy(shown: dict[str, Any]) -> str:
    limit = f", max {shown['max_concurrent']}" if shown["max_concurrent"] is not None else ""
    return f"priority {shown['priority']}, weight {shown['weight']:g}{limit}"


def window(shown: dict[str, Any]) -> str:
    family = f"{shown['family']} " if shown["family"] else ""
    return f"{family}{shown['name']} {shown['used_percent']:g}% (resets {_moment(shown['resets_at'])})"


def last_error(shown: dict[str, Any] | None) -> str:
    if shown is None:
        return "-"
    return f"{relative(shown['at'])}: {shown['message']!s}"


def _moment(moment: float | None) -> str:
    if moment is None:
        return "reset by hand"
    return f"{local_time(moment)}, {relative(moment)}"


def _table(accounts: Sequence[Account], columns: list[str]) -> Table:
    table = Table(*columns)
    for account in accounts:
        shown = cells(account)
        table.add_row(*(plain(shown[column]) for column in columns))
    return table


def _block(account: Account) -> Block:
    shown = cells(account)
    lines = [Text.assemble((shown["label"], "bold"), f" ({shown['kind']})")]
    for column in COLUMNS[2:-1]:
        for n, line in enumerate(shown[column].splitlines()):
            lines.append(Text(f"    {column if n == 0 else ' ' * len(column)}: {line}"))
    lines += [Text(f"    {model}") for model in account["models"]]
    return lines

"""Tables that never cut an id: the first of several layouts (all columns, then fewer)
that shows every cell's longest word whole in the terminal, else one block of lines
per row."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.console import Console
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

Block = Sequence[Text]
_UNBOUNDED = 100_000


def print_rows(console: Console, tables: Sequence[Table], blocks: Iterable[Block]) -> None:
    """The first of `tables` that fits, else `blocks`: their lines are never wrapped nor
    cropped by rich, so an id longer than the terminal is still one line to copy."""
    # Measured as if the terminal were unbounded: a measure is capped at the width given.
    unbounded = console.options.update_width(_UNBOUNDED)
    for table in tables:
        if Measurement.get(console, unbounded, table).minimum <= console.width:
            console.print(table)
            return
    for block in blocks:
        for line in block:
            console.print(line, soft_wrap=True)


def plain(text: str | None, empty: str = "-") -> Text:
    """User or configuration text as it is: never read as rich markup."""
    return Text(text or empty)

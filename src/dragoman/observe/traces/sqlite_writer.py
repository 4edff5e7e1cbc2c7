"""Trace batches written to a SQLite file by one thread of their own, with Python's
sqlite3 module.

Through SQLAlchemy's asyncio engine a batch cost the event loop about 1.3 ms of
transaction plumbing whatever its size (each statement a hop to aiosqlite's thread
and back, the pool's checkout and reset), and loading SQLAlchemy cost some 20 MiB.
Here the loop hands a batch over once and awaits one future; the rows are built in
the thread, and sqlite3 lets go of the GIL while SQLite works. A write, once handed
over, runs to its commit even if whoever awaited it is cancelled (a server stopping).
The statements are the ones SQLAlchemy compiles for these tables (a test holds them
equal).
"""

from __future__ import annotations

import asyncio
import functools
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from dragoman.observe.traces.ledger import COSTS, COUNTS, DIMENSIONS
from dragoman.observe.traces.rows import COLUMNS, LEDGER_COLUMNS, Row

# As the engine's connections (store.db): another process writing waits, not fails.
BUSY_SECONDS = 5.0

Rows = Callable[[], tuple[list[Row], list[Row]]]


def _name(column: str) -> str:
    return f'"{column}"' if column == "key" else column  # the one SQL keyword among them


def _insert(table: str, columns: tuple[str, ...]) -> str:
    names = ", ".join(map(_name, columns))
    return f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})"


def _ledger_upsert() -> str:
    added = [f"{name} = (usage_ledger.{name} + excluded.{name})" for name in COUNTS]
    # A cost stays NULL (unknown) until some request of the row has one.
    added += [
        f"{name} = CASE WHEN (excluded.{name} IS NULL) THEN usage_ledger.{name} "
        f"ELSE coalesce(usage_ledger.{name}, 0.0) + excluded.{name} END"
        for name in COSTS
    ]
    conflict = ", ".join(map(_name, DIMENSIONS))
    return (
        f"{_insert('usage_ledger', LEDGER_COLUMNS)} ON CONFLICT ({conflict}) DO UPDATE SET {', '.join(added)}"
    )


INSERT = _insert("traces", COLUMNS)
# Rows a traces insert carries at once. sqlite3 lets go of the GIL for each statement it
# runs, and this thread then waits to take it back from a busy event loop: row by row
# (`executemany`) that hand-over cost chat pass-through at c=64 about 60 µs of CPU a
# request (tracing on against off); a statement per 50 rows, a fraction of it.
CHUNK = 50


@functools.lru_cache(maxsize=CHUNK)
def insert_rows(count: int) -> str:
    """The traces insert for `count` rows in one statement."""
    one = f"({', '.join('?' * len(COLUMNS))})"
    return f"{_insert('traces', COLUMNS).rpartition(' VALUES ')[0]} VALUES {', '.join([one] * count)}"


UPSERT = _ledger_upsert()
DELETE_BEFORE = "DELETE FROM traces WHERE traces.time < ?"
DELETE_BEYOND = (
    "DELETE FROM traces WHERE traces.time < "
    "(SELECT traces.time FROM traces ORDER BY traces.time DESC LIMIT 1 OFFSET ?)"
)


class SqliteWriter:
    """One connection, used by one thread: every write in the order it was asked."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._connection: sqlite3.Connection | None = None
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dragoman-traces")

    async def write(self, rows: Rows) -> None:
        """Write, in one transaction, the traces and ledger rows `rows()` makes."""
        await asyncio.get_running_loop().run_in_executor(self._thread, self._write, rows)

    async def retain(self, before: float, max_count: int) -> int:
        """Delete traces older than `before` and beyond the newest `max_count`."""
        return await asyncio.get_running_loop().run_in_executor(self._thread, self._retain, before, max_count)

    async def close(self) -> None:
        await asyncio.get_running_loop().run_in_executor(self._thread, self._close)
        self._thread.shutdown(wait=False)

    def _write(self, rows: Rows) -> None:
        traces, ledger = rows()
        connection = self._connection or self._connect()
        with connection:  # committed, or rolled back if a statement fails
            for start in range(0, len(traces), CHUNK):
                chunk = traces[start : start + CHUNK]
                connection.execute(insert_rows(len(chunk)), [value for row in chunk for value in row])
            connection.executemany(UPSERT, ledger)

    def _retain(self, before: float, max_count: int) -> int:
        connection = self._connection or self._connect()
        with connection:
            removed = connection.execute(DELETE_BEFORE, (before,)).rowcount
            removed += connection.execute(DELETE_BEYOND, (max_count - 1,)).rowcount
        return removed

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self._path, timeout=BUSY_SECONDS, check_same_thread=False)
        # The file is in WAL mode (`store.db`): a commit then need not wait for the disk.
        # A crash of the process loses nothing committed; a power cut may lose the last
        # batches, never the file's consistency: traces are kept a second late anyway.
        connection.execute("PRAGMA synchronous=NORMAL")
        self._connection = connection
        return connection

    def _close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

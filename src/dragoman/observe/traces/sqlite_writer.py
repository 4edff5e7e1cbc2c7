"""Trace batches written to a SQLite file by one thread of their own, with Python's
sqlite3 module and the statements SQLAlchemy compiled for the traces table and the
ledger.

Through SQLAlchemy's asyncio engine a batch cost the event loop about 1.3 ms of
transaction plumbing whatever its size (each statement a hop to aiosqlite's thread
and back, the pool's checkout and reset): more than the rows themselves at the rates
one process serves. Here the loop hands a batch over once and awaits one future;
the rows are built in the thread too. A write, once handed over, runs to its commit
even if whoever awaited it is cancelled (a server stopping).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

# As the engine's connections (store.db): another process writing waits, not fails.
BUSY_SECONDS = 5.0

Rows = Callable[[], tuple[Sequence[tuple[Any, ...]], Sequence[tuple[Any, ...]]]]


class SqliteWriter:
    """One connection, used by one thread: every write in the order it was asked."""

    def __init__(self, path: Path, insert: str, upsert: str) -> None:
        self._path = path
        self._insert = insert
        self._upsert = upsert
        self._connection: sqlite3.Connection | None = None
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dragoman-traces")

    async def write(self, rows: Rows) -> None:
        """Write, in one transaction, the traces and ledger rows `rows()` makes."""
        await asyncio.get_running_loop().run_in_executor(self._thread, self._write, rows)

    async def close(self) -> None:
        await asyncio.get_running_loop().run_in_executor(self._thread, self._close)
        self._thread.shutdown(wait=False)

    def _write(self, rows: Rows) -> None:
        traces, ledger = rows()
        connection = self._connection or self._connect()
        with connection:  # committed, or rolled back if a statement fails
            connection.executemany(self._insert, traces)
            connection.executemany(self._upsert, ledger)

    def _connect(self) -> sqlite3.Connection:
        self._connection = sqlite3.connect(self._path, timeout=BUSY_SECONDS, check_same_thread=False)
        return self._connection

    def _close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

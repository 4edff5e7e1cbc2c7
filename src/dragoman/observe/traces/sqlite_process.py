"""The trace writer's own process: `python -m dragoman.observe.traces.sqlite_process FILE`.

It reads requests from stdin, each a frame (`FRAME`: a kind and a length, then that
many bytes: a write's records as JSON lines, a retention's arguments as a JSON array),
and answers each with one line of JSON on stdout:
`{}` for a batch written, `{"removed": n}` for a retention, `{"error": "..."}` when
SQLite refused (the batch is then rolled back whole). It ends when stdin closes, which
also happens when the gateway that started it dies. It ignores SIGINT and SIGTERM,
which a terminal or a service manager sends to every process of the gateway at once:
the gateway, stopping, sends its last batch and then closes stdin.

Only what writing needs is imported here (no configuration, no SQLAlchemy, no asyncio),
so the process starts in tens of milliseconds and stays small (about 17 MiB). Its
statements are the ones SQLAlchemy compiles for these tables (a test holds them equal).
"""

from __future__ import annotations

import functools
import signal
import sqlite3
import struct
import sys
from pathlib import Path
from typing import Any, BinaryIO

import orjson

from dragoman.observe.traces.ledger import COSTS, COUNTS, DIMENSIONS, Ledger
from dragoman.observe.traces.outcome import Record
from dragoman.observe.traces.rows import COLUMNS, LEDGER_COLUMNS, ledger_row, row_of

# As the engine's connections (store.db): another process writing waits, not fails.
BUSY_SECONDS = 5.0
# A request to the writer's process: its kind, then the length of the JSON that follows.
FRAME = struct.Struct(">cI")
WRITE, RETAIN = b"W", b"R"


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
# Rows a traces insert carries at once: one statement per row cost SQLite's statement
# overhead 50 times over.
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


class FileWriter:
    """One connection to the file, opened on first use."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._connection: sqlite3.Connection | None = None

    def answer(self, kind: bytes, payload: bytes) -> dict[str, Any]:
        """What to answer a request; SQLite's refusal is an answer, not an end."""
        try:
            if kind == WRITE:
                self.write(payload)
                return {}
            if kind == RETAIN:
                before, max_count = orjson.loads(payload)
                return {"removed": self.retain(before, max_count)}
            return {"error": f"unknown request {kind!r}"}
        except sqlite3.Error as error:
            return {"error": f"{type(error).__name__}: {error}"}

    def write(self, payload: bytes) -> None:
        """The traces and ledger rows of the records in `payload`, one JSON record a
        line, in one transaction. The records are read a statement's rows at a time, so
        a batch is never held whole as Python objects (500 records: 2.9 MiB more at once)."""
        lines = payload.split(b"\n") if payload else []
        ledger = Ledger()
        connection = self._connection or self._connect()
        with connection:  # committed, or rolled back if a statement fails
            for start in range(0, len(lines), CHUNK):
                _insert_traces(connection, lines[start : start + CHUNK], ledger)
            connection.executemany(UPSERT, [ledger_row(row) for row in ledger.rows()])

    def retain(self, before: float, max_count: int) -> int:
        """Traces older than `before` and beyond the newest `max_count` deleted: how many."""
        connection = self._connection or self._connect()
        with connection:
            removed = connection.execute(DELETE_BEFORE, (before,)).rowcount
            removed += connection.execute(DELETE_BEYOND, (max_count - 1,)).rowcount
        return int(removed)

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self._path, timeout=BUSY_SECONDS)
        # The file is in WAL mode (`store.db`): a commit then need not wait for the disk.
        # A crash loses nothing committed; a power cut may lose the last batches, never
        # the file's consistency: traces are kept a second late anyway.
        connection.execute("PRAGMA synchronous=NORMAL")
        self._connection = connection
        return connection


def _insert_traces(connection: sqlite3.Connection, lines: list[bytes], ledger: Ledger) -> None:
    """One statement inserting these records' traces; their usage added to `ledger`."""
    values: list[Any] = []
    for line in lines:
        record: Record = orjson.loads(line)
        ledger.add(record)
        values += row_of(record, line)
    connection.execute(insert_rows(len(lines)), values)


def read_frame(source: BinaryIO) -> tuple[bytes, bytes] | None:
    """The next request's kind and payload; None when stdin has closed."""
    header = source.read(FRAME.size)
    if len(header) < FRAME.size:
        return None
    kind, length = FRAME.unpack(header)
    payload = source.read(length)
    return (kind, payload) if len(payload) == length else None


def serve(path: Path, source: BinaryIO, answers: BinaryIO) -> None:
    """Every request answered in turn, until the requests end."""
    writer = FileWriter(path)
    try:
        while (frame := read_frame(source)) is not None:
            answers.write(orjson.dumps(writer.answer(*frame)) + b"\n")
            answers.flush()
    finally:
        writer.close()


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    serve(Path(sys.argv[1]), sys.stdin.buffer, sys.stdout.buffer)


if __name__ == "__main__":
    main()

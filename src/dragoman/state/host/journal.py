"""Cooldowns, usage windows, bindings and last errors kept in `<home>/state/state.db` (SQLite, WAL),
through which the processes of one host share them.

Every write takes the next number of one sequence (`meta.seq`) inside its
transaction, so the rows of a committed write all number below those of any later
one: a reader asking for "everything after N" misses nothing. A removal is a row
marked `gone` (a tombstone) that readers apply, kept a minute, then deleted. Each row
names the process instance that wrote it (`origin`), which skips its own rows.

Blocking calls: run them off the event loop (`asyncio.to_thread`); a lock keeps them
one at a time.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from pathlib import Path

from dragoman.state.records import Binding, ClientLogin, Cooldown, LastError, Window

Record = Cooldown | Window | Binding | LastError | ClientLogin
# (table, key, the record now or None: removed)
Change = tuple[str, tuple[str, ...], Record | None]

TOMBSTONE_SECONDS = 60.0
# Rows that no reader needs any more, per table: (condition, how long past it).
_EXPIRED = {
    "cooldowns": "until < ?",  # its backoff level forgotten a day after the cooldown ended
    "windows": "resets_at < ?",
    "bindings": "expires < ?",
    "errors": "at < ?",
    "logins": "seen_at < ?",
}
_KEEP_AFTER = {
    "cooldowns": 86_400.0,
    "windows": 7 * 86_400.0,
    "bindings": 60.0,
    "errors": 30 * 86_400.0,
    "logins": 7 * 86_400.0,  # a weekly window outlives a login not seen for longer
}


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    record: type[Record]
    keys: int  # the record's first `keys` fields are its key
    newest: str | None = None  # a row replaces another only if this field is not older

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(field.name for field in fields(self.record))

    @property
    def upsert(self) -> str:
        names = (*self.columns, "seq", "origin", "gone", "changed")
        updates = ", ".join(f"{name} = excluded.{name}" for name in names[self.keys :])
        guard = f" WHERE excluded.{self.newest} >= {self.name}.{self.newest}" if self.newest else ""
        return (
            f"INSERT INTO {self.name} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
            f" ON CONFLICT ({', '.join(self.columns[: self.keys])}) DO UPDATE SET {updates}{guard}"
        )

    def row(self, record: Record) -> tuple[object, ...]:
        return tuple(getattr(record, column) for column in self.columns)


TABLES = {
    table.name: table
    for table in (
        Table("cooldowns", Cooldown, 2),
        Table("windows", Window, 3, "observed_at"),
        Table("bindings", Binding, 2),
        Table("errors", LastError, 1, "at"),
        Table("logins", ClientLogin, 1, "seen_at"),
    )
}


class Journal:
    def __init__(self, path: Path, origin: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not path.exists():
            os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))  # its -wal and -shm take this mode
        self._db = sqlite3.connect(path, timeout=10.0, isolation_level=None, check_same_thread=False)
        self.origin = origin
        self.lock = threading.Lock()
        self.seq = 0
        self._seen_version = -1
        # Workers start together: switching a new file to WAL answers "database is
        # locked" at once to all but one (SQLite's busy timeout does not cover it), so
        # the set-up is done by one process at a time.
        with _one_at_a_time(path.with_name(path.name + ".setup")):
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            with self._transaction():
                _create(self._db)

    def load(self) -> list[Change]:
        """Every live row, and from now on only what others change (`exchange`)."""
        with self.lock, self._transaction(immediate=False):
            self.seq = self._db.execute("SELECT value FROM meta WHERE name = 'seq'").fetchone()[0]
            return [change for table in TABLES.values() for change in self._rows(table, "gone = 0", ())]

    def exchange(self, changes: Iterable[Change]) -> list[Change]:
        """Write `changes` in one transaction; return what other instances changed since
        the last call."""
        with self.lock:
            return self._exchange(list(changes))

    def _exchange(self, changes: list[Change]) -> list[Change]:
        if changes:
            self._write(changes)
        version = self._db.execute("PRAGMA data_version").fetchone()[0]
        if version == self._seen_version:
            return []  # no other connection committed since we last read
        self._seen_version = version
        with self._transaction(immediate=False):
            since = self.seq
            self.seq = self._db.execute("SELECT value FROM meta WHERE name = 'seq'").fetchone()[0]
            where = "seq > ? AND origin != ?"
            return [
                change
                for table in TABLES.values()
                for change in self._rows(table, where, (since, self.origin))
            ]

    def collect(self, now: float) -> None:
        """Delete tombstones no reader needs and rows long expired."""
        with self.lock, self._transaction():
            for name, condition in _EXPIRED.items():
                self._db.execute(
                    f"DELETE FROM {name} WHERE gone = 1 AND changed < ?", (time.time() - TOMBSTONE_SECONDS,)
                )
                self._db.execute(
                    f"DELETE FROM {name} WHERE gone = 0 AND {condition}", (now - _KEEP_AFTER[name],)
                )

    def close(self) -> None:
        with self.lock:
            self._db.close()

    def _write(self, changes: list[Change]) -> None:
        with self._transaction():
            last = self._db.execute("SELECT value FROM meta WHERE name = 'seq'").fetchone()[0]
            for seq, (name, key, record) in enumerate(changes, start=last + 1):
                self._put(TABLES[name], key, record, seq)
            self._db.execute("UPDATE meta SET value = ? WHERE name = 'seq'", (last + len(changes),))

    def _put(self, table: Table, key: tuple[str, ...], record: Record | None, seq: int) -> None:
        columns = table.columns
        values = table.row(record) if record is not None else (*key, *[None] * (len(columns) - len(key)))
        self._db.execute(table.upsert, (*values, seq, self.origin, int(record is None), time.time()))

    def _rows(self, table: Table, where: str, arguments: tuple[object, ...]) -> Iterator[Change]:
        columns = table.columns
        query = f"SELECT gone, {', '.join(columns)} FROM {table.name} WHERE {where} ORDER BY seq"
        for gone, *values in self._db.execute(query, arguments):
            key = tuple(values[: table.keys])
            yield table.name, key, None if gone else table.record(*values)

    @contextlib.contextmanager
    def _transaction(self, immediate: bool = True) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")


def _create(db: sqlite3.Connection) -> None:
    db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL)")
    db.execute("INSERT OR IGNORE INTO meta VALUES ('seq', 0)")
    for table in TABLES.values():
        columns = ", ".join(table.columns)
        keys = ", ".join(table.columns[: table.keys])
        db.execute(
            f"CREATE TABLE IF NOT EXISTS {table.name} ({columns}, seq INTEGER NOT NULL, origin TEXT NOT NULL,"
            f" gone INTEGER NOT NULL, changed REAL NOT NULL, PRIMARY KEY ({keys}))"
        )
        db.execute(f"CREATE INDEX IF NOT EXISTS {table.name}_seq ON {table.name} (seq)")


@contextlib.contextmanager
def _one_at_a_time(lock_path: Path) -> Iterator[None]:
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock

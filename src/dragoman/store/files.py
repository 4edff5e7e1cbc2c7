"""The home folder and the SQLite file, found and looked at without SQLAlchemy.

A gateway configured in config.toml alone has no accounts, and SQLAlchemy with its
driver would cost it a third of its memory: so what can be known from the file system
(where the database is, whether it exists, whether it changed, whether it has accounts)
is known from here.
"""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path
from urllib.parse import unquote

from dragoman.config import ConfigError
from dragoman.config.masking import masked_url
from dragoman.store.migrations import SchemaMismatch, refuse_unknown

# SQLAlchemy's own URL pattern (sqlalchemy.engine.url._parse_url), for its `database` part.
_URL = re.compile(
    r"""
        (?P<name>[\w\+]+)://
        (?:(?P<username>[^:/]*)(?::(?P<password>[^@]*))?@)?
        (?:(?:\[(?P<ipv6host>[^/\?]+)\]|(?P<ipv4host>[^/:\?]+))?(?::(?P<port>[^/\?]*))?)?
        (?:/(?P<database>[^\?]*))?
        (?:\?(?P<query>.*))?
    """,
    re.X,
)


class UnusableDatabase(ConfigError):
    """The database cannot be used (its URL, its driver, the connection, its schema),
    said in one line that names the URL with its password masked."""

    def __init__(self, url: str, problem: str) -> None:
        super().__init__(f"database_url {masked_url(url)}: {problem}")
        self.problem = problem


# A file's identity, size and last change, for the database and its write-ahead log.
Signature = tuple[tuple[int, int, int] | None, tuple[int, int, int] | None]


def prepare_home(home: Path) -> None:
    """Create the home folder private to its owner (0700), or tighten it if it exists."""
    home.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(home, 0o700)


def sqlite_file(url: str) -> Path | None:
    """The file a SQLite database URL names, as SQLAlchemy reads it; None for any other
    database, and for SQLite in memory."""
    found = _URL.match(url)
    if found is None or found["name"].partition("+")[0] != "sqlite" or not found["database"]:
        return None
    database = unquote(found["database"])
    return None if database == ":memory:" else Path(database)


def signature(path: Path) -> Signature | None:
    """What changes with every commit to the SQLite file at `path`: a write goes to its
    write-ahead log (`-wal`, which grows, or goes when the last connection closes), or
    to the file itself. None when there is no file."""
    here = file_stamp(path)
    return None if here is None else (here, file_stamp(Path(f"{path}-wal")))


def file_stamp(path: Path) -> tuple[int, int, int] | None:
    """What changes when a file is replaced or written (inode, size, mtime); None: no file."""
    try:
        found = path.stat()
    except FileNotFoundError:
        return None
    return found.st_ino, found.st_size, found.st_mtime_ns


def holds_accounts(path: Path) -> bool | None:
    """Whether the SQLite file at `path` has a row in its accounts table, a pool
    policy override (of a configured provider, say) to serve by, or a named local key
    (False: none, or no such table either). None when it cannot tell now (locked, or gone meanwhile). A file
    it cannot read otherwise counts as holding some, so that opening it says what is wrong.
    Never creates the file."""
    import sqlite3  # the standard driver, ~1.4 MiB, only once there is a file to look into

    try:
        uri = f"{path.resolve().as_uri()}?mode=rw"
        with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=1.0)) as connection:
            if connection.execute("SELECT 1 FROM accounts LIMIT 1").fetchone() is not None:
                return True
            return _has_row(connection, "account_policies") or _has_row(connection, "local_keys")
    except sqlite3.Error as error:
        name = getattr(error, "sqlite_errorname", "")
        if name == "SQLITE_ERROR" and "no such table" in str(error):
            return False
        return None if name in {"SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_CANTOPEN"} else True


def _has_row(connection: object, table: str) -> bool:
    """Whether `table` has a row; False when an older database has no such table."""
    import sqlite3

    try:
        return connection.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() is not None  # type: ignore[attr-defined]
    except sqlite3.OperationalError as error:
        if "no such table" in str(error):
            return False
        raise


def sqlite_revision(path: Path) -> str | None:
    """The schema revision of the SQLite file at `path` (as `migrations.check` reads it),
    looked at with Python's own sqlite3; None when it has none, or cannot tell (the
    opening that follows says why)."""
    import sqlite3

    try:
        uri = f"{path.resolve().as_uri()}?mode=ro"
        with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=1.0)) as connection:
            listed = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            tables = {row[0] for row in listed}
            if "alembic_version" in tables:
                found = connection.execute("SELECT version_num FROM alembic_version").fetchone()
                return str(found[0]) if found else None
            if "schema_version" in tables:
                number = connection.execute("SELECT version FROM schema_version").fetchone()
                return f"{number[0]:04d}" if number and number[0] else None
    except sqlite3.Error:
        return None
    return None


def refuse_newer_file(url: str) -> None:
    """UnusableDatabase when the URL's SQLite file has a schema a newer dragoman made:
    for `serve` to refuse at its start, before any write, without loading SQLAlchemy
    for a database it might otherwise not open at all."""
    path = sqlite_file(url)
    if path is None or not path.exists():
        return
    try:
        refuse_unknown(sqlite_revision(path))
    except SchemaMismatch as error:
        raise UnusableDatabase(url, str(error)) from None

"""Logging set-up: one handler, request ids on every line, secrets masked by a filter.

Callers log normally; the `RedactingFilter` on the handler masks secrets in every
record, whoever emitted it (dragoman, uvicorn, httpx), so no caller has to.

Lines go to stderr, or to `log_file`, rolled over by size (`RotatingFileHandler`).
Rolling over renames the file, which is only safe for its one writer: two processes
rotating one file each rename it under the other, and lines land in the wrong file or
are lost. So under `serve --workers` every worker writes a file of its own
(`worker_file`), and the supervisor the one named.
"""

from __future__ import annotations

import contextvars
import logging
import os
import sys
import time
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from dragoman.observe.redact import redact, redact_field

if TYPE_CHECKING:
    from dragoman.config import Settings

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}


class RedactingFilter(logging.Filter):
    """Masks secrets in the message, its arguments and extra fields; adds the request id."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg, record.args = redact(message), None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        fields = record.__dict__
        for key in fields.keys() - _STANDARD:  # the extra fields, found in one set operation
            value = fields[key]
            if isinstance(value, str):
                fields[key] = redact_field(value)
        return True


class TextFormatter(logging.Formatter):
    def __init__(self, pid: bool = False) -> None:
        # With several worker processes, the pid says which one wrote the line.
        where = " %(process)d" if pid else ""
        super().__init__(f"%(asctime)s %(levelname)-7s{where} [%(request_id)s] %(name)s: %(message)s")

    # The clock part of the last second formatted: a busy gateway logs many lines a second.
    _second: tuple[int, str] = (-1, "")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        second = int(record.created)
        if second != self._second[0]:
            self._second = (second, time.strftime("%H:%M:%S", time.localtime(second)))
        return f"{self._second[1]}.{int(record.msecs):03d}"


class JsonFormatter(logging.Formatter):
    def __init__(self, pid: bool = False) -> None:
        super().__init__()
        self.pid = pid

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": round(record.created, 3),
            "level": record.levelname.lower(),
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if self.pid:
            line["pid"] = record.process
        for key, value in record.__dict__.items():
            if key not in _STANDARD and key not in line and not key.startswith("_"):
                line[key] = value
        if record.exc_text:
            line["exception"] = record.exc_text
        return orjson.dumps(line, default=str).decode()


class RollingFile(RotatingFileHandler):
    """The standard library's size-rolled file, each line formatted once and the file's
    size kept here: its own handler formats every line twice and asks the file system
    three times a line (two `stat`s, a seek) whether to roll over, about 15 µs of the
    40 an access line cost. One process writes the file (see above), so the count holds.
    Sizes count characters, as the standard library's check does."""

    _size = 0
    _regular = True  # only a regular file rolls over (not /dev/null, a pipe)

    def _open(self) -> Any:
        stream = super()._open()
        stream.seek(0, os.SEEK_END)
        self._size = stream.tell()
        self._regular = os.path.isfile(self.baseFilename)
        return stream

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record) + self.terminator
            if self.stream is None:
                self.stream = self._open()
            if 0 < self.maxBytes <= self._size + len(line) and self._regular:
                self.doRollover()
                if self.stream is None:
                    self.stream = self._open()
            self.stream.write(line)
            self.stream.flush()
            self._size += len(line)
        except RecursionError:
            raise
        except Exception:
            self.handleError(record)


class LogFile:
    """A log file, rolled over past `max_bytes` (0: never) with `backups` old ones kept."""

    def __init__(self, path: Path, max_bytes: int = 10 * 1024 * 1024, backups: int = 5) -> None:
        self.path, self.max_bytes, self.backups = path.expanduser(), max_bytes, backups

    def handler(self) -> logging.Handler:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        return RollingFile(self.path, maxBytes=self.max_bytes, backupCount=self.backups, encoding="utf-8")


def log_file(settings: Settings) -> LogFile | None:
    """Where the settings send logs: a file, or None for stderr."""
    if settings.log_file is None:
        return None
    return LogFile(settings.log_file, settings.log_max_bytes, settings.log_backups)


def worker_file(path: Path, number: int) -> Path:
    """Worker `number`'s own log file beside `path`: dragoman.log -> dragoman.worker-1.log."""
    return path.with_name(f"{path.stem}.worker-{number}{path.suffix}")


def configure(
    level: str = "info",
    fmt: str = "text",
    stream: Any = None,
    *,
    pid: bool = False,
    file: LogFile | None = None,
) -> logging.Handler:
    """Route every logger through one redacting handler. Returns the handler.
    `pid`: every line names the process (for `serve --workers`); `file`: lines go there
    instead of to `stream` (stderr)."""
    global _text_handler
    handler = file.handler() if file is not None else logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(JsonFormatter(pid) if fmt == "json" else TextFormatter(pid))
    _text_handler = handler if fmt != "json" else None
    # Records need not know their source line or thread: finding them costs more per
    # access line than writing it (the logging docs' own advice for speed).
    logging._srcfile = None
    logging.logThreads = False
    logging.logMultiprocessing = False
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    # uvicorn's own access log is replaced by dragoman's, which knows the dialect and model.
    logging.getLogger("uvicorn.access").disabled = True
    for name in PAYLOAD_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
    return handler


# The handler `configure` set up, when it writes text lines; None for JSON lines.
_text_handler: logging.Handler | None = None


def fields_wanted(logger: logging.Logger) -> bool:
    """Whether a record of `logger` with extra fields has any use for them. JSON lines
    print them; the text line (the default) prints the message alone, so when it is all
    a record reaches, the fields are left off (building and masking them cost the access
    line about a third of its 15 µs). A handler of anyone else's (a test's capture) has
    them."""
    chain: logging.Logger | None = logger
    while chain is not None:
        if chain.handlers and (chain.handlers != [_text_handler] or chain is not logging.root):
            return True
        if not chain.propagate:
            return False
        chain = chain.parent
    return False


# Libraries whose debug lines carry what they send or store (SQL parameters, headers,
# bodies): tokens that no redaction knows yet would be printed whole, so they never
# log below warning, whatever the level asked for.
PAYLOAD_LOGGERS = ("httpx", "httpcore", "hpack", "h2", "aiosqlite", "sqlalchemy.engine", "asyncpg")

"""Logging set-up: one handler, request ids on every line, secrets masked by a filter.

Callers log normally; the `RedactingFilter` on the handler masks secrets in every
record, whoever emitted it (dragoman, uvicorn, httpx), so no caller has to.
"""

from __future__ import annotations

import contextvars
import logging
import sys
import time
from typing import Any

import orjson

from dragoman.observe.redact import redact

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
        for key, value in list(record.__dict__.items()):
            if key not in _STANDARD and isinstance(value, str):
                setattr(record, key, redact(value))
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


def configure(
    level: str = "info", fmt: str = "text", stream: Any = None, *, pid: bool = False
) -> logging.Handler:
    """Route every logger through one redacting handler. Returns the handler.
    `pid`: every line names the process (for `serve --workers`)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(JsonFormatter(pid) if fmt == "json" else TextFormatter(pid))
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


# Libraries whose debug lines carry what they send or store (SQL parameters, headers,
# bodies): tokens that no redaction knows yet would be printed whole, so they never
# log below warning, whatever the level asked for.
PAYLOAD_LOGGERS = ("httpx", "httpcore", "hpack", "h2", "aiosqlite", "sqlalchemy.engine", "asyncpg")

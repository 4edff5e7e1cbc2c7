"""Every log record at debug level, as `dragoman serve --log-level debug` would write it,
without changing what the tests' own handlers (caplog) receive.

`observe.log.configure` sets the root logger to the chosen level, httpx to warning at
least, and disables uvicorn's access log; records go out through its `RedactingFilter`.
Here every logger is treated as enabled down to the level it would then have: a record the real levels
would not have made is built all the same, given to the recorder only, and never to
the handlers, so caplog sees exactly what it saw before.
"""

from __future__ import annotations

import copy
import io
import logging
import threading
from typing import Any

from dragoman.observe.log import JsonFormatter, RedactingFilter, configure
from tests.secret_scan.record import RECORDER

_OFF = logging.CRITICAL + 1
_MODULE_SETTINGS = ("_srcfile", "logThreads", "logMultiprocessing", "logProcesses")

_real_enabled = logging.Logger.isEnabledFor
_real_log = logging.Logger._log
_real_call_handlers = logging.Logger.callHandlers
_forced = threading.local()
_FLOORS: dict[str, int] = {}
_filter = RedactingFilter()
_format = JsonFormatter()


def configured_floors() -> dict[str, int]:
    """The levels loggers have once `configure("debug")` ran (httpx at warning, uvicorn's
    access log off, a library's own level kept), read by running it and then undoing
    everything it changed."""
    saved = _snapshot()
    try:
        configure("debug", stream=io.StringIO())
        floors = {}
        for name, logger in logging.root.manager.loggerDict.items():
            if isinstance(logger, logging.Logger) and (logger.disabled or logger.level):
                floors[name] = _OFF if logger.disabled else logger.level
        return floors
    finally:
        _restore(saved)


_Saved = tuple[
    dict[str, tuple[int, bool, bool, list[logging.Handler]]],
    tuple[int, list[logging.Handler]],
    dict[str, Any],
]


def _snapshot() -> _Saved:
    loggers = {
        name: (logger.level, logger.disabled, logger.propagate, list(logger.handlers))
        for name, logger in logging.root.manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    }
    module = {name: getattr(logging, name) for name in _MODULE_SETTINGS}
    return loggers, (logging.root.level, list(logging.root.handlers)), module


def _restore(saved: _Saved) -> None:
    loggers, (root_level, root_handlers), module = saved
    for name, logger in logging.root.manager.loggerDict.items():
        if isinstance(logger, logging.Logger):
            level, disabled, propagate, handlers = loggers.get(name, (logging.NOTSET, False, True, []))
            logger.setLevel(level)
            logger.disabled, logger.propagate, logger.handlers = disabled, propagate, handlers
    logging.root.setLevel(root_level)
    logging.root.handlers = root_handlers
    for name, value in module.items():
        setattr(logging, name, value)


def _floor(logger: logging.Logger) -> int:
    """The level `logger` would have with the root at debug: what `configure` sets, else
    the first level set on it or an ancestor (sqlalchemy sets its own to warning)."""
    for prefix, level in _FLOORS.items():
        if logger.name == prefix or logger.name.startswith(prefix + "."):
            return level
    found: logging.Logger | None = logger
    while found is not None and found.parent is not None:  # the root's own level is ignored
        if found.level:
            return found.level
        found = found.parent
    return logging.DEBUG


def _enabled(self: logging.Logger, level: int) -> bool:
    if _real_enabled(self, level):
        return True
    return level >= _floor(self) and not self.disabled and self.manager.disable < level


def _log(self: logging.Logger, level: int, *args: Any, **kwargs: Any) -> None:
    # One frame more to skip: the record names the caller, not this wrapper.
    kwargs["stacklevel"] = kwargs.get("stacklevel", 1) + 1
    if _real_enabled(self, level):
        _real_log(self, level, *args, **kwargs)
        return
    _forced.on = True  # only the recorder gets this record: see `_call_handlers`
    try:
        _real_log(self, level, *args, **kwargs)
    finally:
        _forced.on = False


def _call_handlers(self: logging.Logger, record: logging.LogRecord) -> None:
    remember(record)
    if not getattr(_forced, "on", False):
        _real_call_handlers(self, record)


def remember(record: logging.LogRecord) -> None:
    """The line dragoman's handler would write for `record` (filtered on a copy: the
    filter rewrites the record, and the real handlers must get it untouched)."""
    line = copy.copy(record)
    try:
        _filter.filter(line)
        text = _format.format(line)
    except Exception as error:  # a record that cannot be formatted is the test's business
        text = f"(unformattable record {record.msg!r}: {error!r})"
    RECORDER.add(f"log {record.name} {record.levelname}", text)


def install() -> None:
    _FLOORS.update(configured_floors())
    logging.Logger.isEnabledFor = _enabled  # type: ignore[method-assign]
    logging.Logger._log = _log  # type: ignore[method-assign]
    logging.Logger.callHandlers = _call_handlers  # type: ignore[method-assign]


def uninstall() -> None:
    logging.Logger.isEnabledFor = _real_enabled  # type: ignore[method-assign]
    logging.Logger._log = _real_log  # type: ignore[method-assign]
    logging.Logger.callHandlers = _real_call_handlers  # type: ignore[method-assign]

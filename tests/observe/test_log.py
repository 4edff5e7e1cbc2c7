"""Which process wrote a line: named with `pid=True` (each worker of `serve --workers`)."""

from __future__ import annotations

import io
import logging
import os
from pathlib import Path

import orjson

from dragoman.observe.log import PAYLOAD_LOGGERS, LogFile, configure, worker_file


def lines(fmt: str, *, pid: bool) -> list[str]:
    stream = io.StringIO()
    handler = configure("info", fmt, stream, pid=pid)
    try:
        logging.getLogger("dragoman.access").info("GET /healthz 200")
    finally:
        logging.getLogger().removeHandler(handler)
    return stream.getvalue().splitlines()


def test_text_lines_name_the_process_only_when_asked() -> None:
    (named,) = lines("text", pid=True)
    assert f" INFO    {os.getpid()} [-] dragoman.access: GET /healthz 200" in named
    (plain,) = lines("text", pid=False)
    assert " INFO    [-] dragoman.access: GET /healthz 200" in plain


def test_json_lines_name_the_process_only_when_asked() -> None:
    (named,) = lines("json", pid=True)
    assert orjson.loads(named)["pid"] == os.getpid()
    (plain,) = lines("json", pid=False)
    assert "pid" not in orjson.loads(plain)


async def test_debug_level_never_prints_what_the_database_driver_is_given(tmp_path: object) -> None:
    import aiosqlite

    root = logging.getLogger()
    saved = root.level, list(root.handlers), {name: logging.getLogger(name).level for name in PAYLOAD_LOGGERS}
    stream = io.StringIO()
    configure("debug", "text", stream)
    unregistered = "refresh-" + os.urandom(8).hex()  # no redaction knows it
    try:
        async with aiosqlite.connect(str(tmp_path) + "/t.db") as db:  # type: ignore[operator]
            await db.execute("create table t (token text)")
            await db.execute("insert into t values (?)", (unregistered,))
        logging.getLogger("dragoman.test").debug("dragoman's own debug lines still show")
    finally:
        root.setLevel(saved[0])
        root.handlers[:] = saved[1]
        for name, level in saved[2].items():
            logging.getLogger(name).setLevel(level)
    written = stream.getvalue()
    assert "dragoman's own debug lines still show" in written
    assert unregistered not in written


def test_a_log_file_rolls_over_at_its_size_and_keeps_so_many(tmp_path: Path) -> None:
    path = tmp_path / "logs" / "dragoman.log"
    handler = configure("info", "text", file=LogFile(path, max_bytes=1000, backups=2))
    try:
        for n in range(60):  # ~100 bytes a line: 6000 bytes, six files' worth
            logging.getLogger("dragoman.access").info("GET /healthz 200 line %02d %s", n, "x" * 40)
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()
    kept = sorted(p.name for p in path.parent.iterdir())
    assert kept == ["dragoman.log", "dragoman.log.1", "dragoman.log.2"]
    assert all(p.stat().st_size <= 1000 for p in path.parent.iterdir())
    assert "line 59" in path.read_text()  # the newest in the file itself
    assert "line 00" not in "".join(p.read_text() for p in path.parent.iterdir())  # the oldest dropped


def test_a_log_file_written_before_counts_towards_its_size(tmp_path: Path) -> None:
    """The size is read when the file is opened: a restart appending to a file near its
    limit rolls it over at the limit, not a whole file's worth of lines later."""
    path = tmp_path / "dragoman.log"
    path.write_text("an earlier run's line\n" * 40)  # 880 bytes
    handler = configure("info", "text", file=LogFile(path, max_bytes=1000, backups=1))
    try:
        for n in range(3):  # ~100 bytes a line: the second goes over
            logging.getLogger("dragoman.access").info("GET /healthz 200 line %02d %s", n, "x" * 40)
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()
    assert "an earlier run's line" in (tmp_path / "dragoman.log.1").read_text()
    assert "line 00" in (tmp_path / "dragoman.log.1").read_text()
    assert "line 02" in path.read_text() and "earlier" not in path.read_text()


def test_each_worker_has_a_file_of_its_own_beside_the_one_named() -> None:
    assert worker_file(Path("/var/log/dragoman.log"), 2) == Path("/var/log/dragoman.worker-2.log")
    assert worker_file(Path("dragoman"), 1) == Path("dragoman.worker-1")

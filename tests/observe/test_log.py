"""Which process wrote a line: named with `pid=True` (each worker of `serve --workers`)."""

from __future__ import annotations

import io
import logging
import os

import orjson

from dragoman.observe.log import configure


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

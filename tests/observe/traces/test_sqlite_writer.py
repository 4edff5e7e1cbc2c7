"""The gateway's side of the trace writer: its process started with the first write,
started again after it died (costing only the batch it held), ended by `close`."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
from pathlib import Path

import orjson
import pytest

from dragoman.observe.traces import sqlite_writer
from dragoman.observe.traces.sqlite_writer import SqliteWriter, TraceWriteError
from tests.cli.test_serve_workers import children, eventually, gone
from tests.observe.traces.records import a_record


def writers() -> set[int]:
    """This process's trace writers."""
    mine = children(os.getpid())
    return {pid for pid in mine if b"sqlite_process" in Path(f"/proc/{pid}/cmdline").read_bytes()}


def stored_ids(database: Path) -> list[str]:
    with sqlite3.connect(database) as connection:
        return [row[0] for row in connection.execute("SELECT id FROM traces ORDER BY time")]


async def test_the_process_starts_with_the_first_write_and_ends_with_close(database: Path) -> None:
    before = writers()
    writer = SqliteWriter(database)
    assert writers() == before  # a gateway that traces nothing starts nothing
    await writer.write([orjson.dumps(a_record(1))])
    [started] = writers() - before
    assert await writer.retain(0.0, 100) == 0
    await writer.close()
    assert gone(started)
    assert stored_ids(database) == ["req-1"]


async def test_a_writer_that_died_costs_its_batch_and_the_next_write_starts_another(database: Path) -> None:
    before = writers()
    writer = SqliteWriter(database)
    try:
        await writer.write([orjson.dumps(a_record(1))])
        [first] = writers() - before
        os.kill(first, signal.SIGKILL)
        eventually(lambda: gone(first), timeout=10)
        with pytest.raises(TraceWriteError, match=r"^the trace writer's process ended \(exit code -9\)$"):
            await writer.write([orjson.dumps(a_record(2))])
        await writer.write([orjson.dumps(a_record(3))])
        assert len(writers() - before - {first}) == 1
    finally:
        await writer.close()
    assert stored_ids(database) == ["req-1", "req-3"]


async def test_an_idle_process_ends_and_the_next_write_starts_another(
    database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_writer, "IDLE_SECONDS", 0.3)
    before = writers()
    writer = SqliteWriter(database)
    try:
        await writer.write([orjson.dumps(a_record(1))])
        [first] = writers() - before
        await asyncio.sleep(0.5)
        assert gone(first)
        await writer.write([orjson.dumps(a_record(2))])
        assert len(writers() - before - {first}) == 1
    finally:
        await writer.close()
    assert stored_ids(database) == ["req-1", "req-2"]


async def test_a_process_kept_busy_does_not_end(database: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sqlite_writer, "IDLE_SECONDS", 0.3)
    before = writers()
    writer = SqliteWriter(database)
    try:
        for n in range(5):
            await writer.write([orjson.dumps(a_record(n))])
            await asyncio.sleep(0.15)
        assert len(writers() - before) == 1
    finally:
        await writer.close()

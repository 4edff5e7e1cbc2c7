"""The tracer off the request path: batches written by its own task, a failing
database costing records and never a request, everything written on stop."""

from __future__ import annotations

import asyncio
import logging
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from dragoman.config import load
from dragoman.observe.traces import sqlite_writer
from dragoman.observe.traces import tracer as tracing
from dragoman.observe.traces.filters import TraceQuery
from dragoman.observe.traces.query import list_traces
from dragoman.observe.traces.store import TraceStore
from dragoman.server.gateway import Gateway
from tests.cli.test_serve_workers import gone
from tests.observe.traces.test_sqlite_writer import writers
from tests.observe.traces.timings import failed_over, started


async def stored(home: Path) -> list[str]:
    store = TraceStore(f"sqlite+aiosqlite:///{home / 'dragoman.db'}")
    try:
        return [t["id"] for t in (await list_traces(await store.engine(), TraceQuery(limit=1000)))["traces"]]
    finally:
        await store.close()


async def soon(check: Callable[[], bool], timeout: float = 5.0) -> None:
    """`check` holds within `timeout`, the loop running meanwhile."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"not within {timeout:g} s"
        await asyncio.sleep(0.05)


def finish(gateway: Gateway, count: int) -> None:
    assert gateway.tracer is not None
    for n in range(count):
        exchange = failed_over(gateway)
        exchange.request_id = f"r{n}"
        gateway.tracer.finish(exchange)


async def test_records_are_written_in_the_background_without_a_stop(tmp_path: Path) -> None:
    async with started(tmp_path) as gateway:
        finish(gateway, 3)
        assert await stored(tmp_path) == []  # nothing written while the request ends
        # The first write starts the writer process: on a loaded CI machine that alone
        # can outlast the flush interval, so the bound is generous; a tracer that never
        # flushes on its own still fails it.
        deadline = time.monotonic() + tracing.FLUSH_SECONDS + 15
        while sorted(await stored(tmp_path)) != ["r0", "r1", "r2"]:
            assert time.monotonic() < deadline, "not written in the background"
            await asyncio.sleep(0.1)


async def test_a_full_batch_is_written_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tracing, "FLUSH_SECONDS", 30.0)
    async with started(tmp_path) as gateway:
        await asyncio.sleep(0.1)  # the tracer waits with the new interval
        finish(gateway, tracing.BATCH)
        deadline = time.monotonic() + 5
        while len(await stored(tmp_path)) < tracing.BATCH:
            assert time.monotonic() < deadline, "the full batch was not written"
            await asyncio.sleep(0.1)


async def test_stopping_writes_what_waits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tracing, "FLUSH_SECONDS", 30.0)
    async with started(tmp_path) as gateway:
        finish(gateway, 2)
    assert sorted(await stored(tmp_path)) == ["r0", "r1"]


async def test_a_long_wait_is_written_in_transactions_of_at_most_write_max(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tracing, "WRITE_MAX", 2)
    monkeypatch.setattr(tracing, "FLUSH_SECONDS", 30.0)
    written: list[int] = []
    write = TraceStore.write_encoded

    async def counted(store: TraceStore, encoded: list[bytes]) -> None:
        written.append(len(encoded))
        await write(store, encoded)

    monkeypatch.setattr(TraceStore, "write_encoded", counted)
    async with started(tmp_path) as gateway:
        finish(gateway, 5)
    assert written == [2, 2, 1]
    assert sorted(await stored(tmp_path)) == ["r0", "r1", "r2", "r3", "r4"]


async def test_a_failing_database_drops_records_and_says_so_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = load(home=str(tmp_path), overrides={"database_url": "sqlite+aiosqlite:////proc/nowhere/x.db"})
    tracer = tracing.Tracer(settings, None, lambda account: None)
    async with started(tmp_path / "other") as gateway:
        for _ in range(2):
            tracer.finish(failed_over(gateway))
            with caplog.at_level(logging.WARNING, "dragoman.traces"):
                await tracer.flush()
    assert tracer.dropped == 2
    assert len([r for r in caplog.records if r.message.startswith("traces not stored")]) == 1
    assert len(tracer.ring) == 2  # still listed from memory


async def test_a_database_that_does_not_keep_up_costs_records_not_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tracing, "WAITING_MAX", 3)
    monkeypatch.setattr(tracing, "FLUSH_SECONDS", 30.0)
    async with started(tmp_path) as gateway:
        assert gateway.tracer is not None
        finish(gateway, 5)
        assert gateway.tracer.dropped == 2


async def test_retention_runs_by_itself(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tracing, "RETENTION_SECONDS", 0.2)
    monkeypatch.setattr(tracing, "FLUSH_SECONDS", 0.1)
    async with started(tmp_path, traces={"keep_max": 2}) as gateway:
        finish(gateway, 5)
        deadline = time.monotonic() + 5
        while await stored(tmp_path) != ["r4", "r3"]:
            assert time.monotonic() < deadline, "old traces were not deleted"
            await asyncio.sleep(0.1)


async def test_an_idle_tracer_lets_its_writer_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Retention runs every minute while traces are written, not while none are: a
    retention would wake the writer's process that idling has ended."""
    monkeypatch.setattr(tracing, "RETENTION_SECONDS", 0.2)
    monkeypatch.setattr(tracing, "FLUSH_SECONDS", 0.1)
    monkeypatch.setattr(sqlite_writer, "IDLE_SECONDS", 0.6)
    before = writers()
    async with started(tmp_path) as gateway:
        finish(gateway, 2)
        await soon(lambda: len(writers() - before) == 1)
        [writer] = writers() - before
        await soon(lambda: gone(writer))
        await asyncio.sleep(1.0)  # five retention periods
        assert writers() == before


async def test_a_trace_that_cannot_be_built_costs_the_trace_not_the_request(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with started(tmp_path) as gateway:
        assert gateway.tracer is not None
        exchange = failed_over(gateway)
        exchange.started = "not a time"  # type: ignore[assignment]
        with caplog.at_level(logging.ERROR, "dragoman.traces"):
            gateway.tracer.finish(exchange)
        assert f"request {exchange.request_id} not traced" in caplog.text
        assert not gateway.tracer.ring


async def test_a_kept_record_costs_its_length_in_memory(tmp_path: Path) -> None:
    """The ring and the batch keep records as bytes for a while: orjson (3.12 on) hands
    back a buffer several times the JSON's length, which a thousand records would keep."""
    async with started(tmp_path) as gateway:
        assert gateway.tracer is not None
        finish(gateway, 1)
        length = len(gateway.tracer._waiting[0])
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            finish(gateway, 200)
            grown = tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()
        assert grown / 200 < length + 512, f"{grown / 200:.0f} bytes kept per record of {length}"

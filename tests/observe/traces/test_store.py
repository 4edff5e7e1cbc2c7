"""Traces and the usage ledger in a real database: SQLite, and PostgreSQL (`tests.databases`)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.dialects import sqlite

from dragoman.observe.traces import engine_writes, rows, sqlite_process
from dragoman.observe.traces.filters import TraceQuery, UsageQuery
from dragoman.observe.traces.ledger import LENGTHS
from dragoman.observe.traces.query import get_trace, list_traces, purge, usage
from dragoman.observe.traces.rows import LEDGER_COLUMNS
from dragoman.observe.traces.sqlite_writer import TraceWriteError
from dragoman.observe.traces.store import TraceStore
from dragoman.policy.savings import savings
from dragoman.store.tables import traces, usage_ledger
from tests.observe.traces.records import a_record


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[TraceStore]:
    kept = TraceStore(database_url)
    yield kept
    await kept.close()


async def test_a_batch_is_stored_and_its_usage_added_to_the_ledger(store: TraceStore) -> None:
    await store.write([a_record(1), a_record(2, account="bob", status=429, usage=None)])
    await store.write([a_record(3, cost=0.25), a_record(4, ended="upstream_error: overloaded")])
    engine = await store.engine()
    rows = await usage(engine, UsageQuery(group_by=("account",)))
    unrouted = {"unpriced": 0, "baseline_cost": None, "compared_cost": None}
    assert rows == [
        {"account": "alice", "requests": 3, "errors": 1, "input_uncached": 30, "cache_read": 270,
         "cache_write": 0, "output": 60, "reasoning": 15, "cost": 0.25, **unrouted},
        {"account": "bob", "requests": 1, "errors": 1, "input_uncached": 0, "cache_read": 0,
         "cache_write": 0, "output": 0, "reasoning": 0, "cost": None, **unrouted},
    ]  # fmt: skip
    assert [t["id"] for t in (await list_traces(engine, TraceQuery(status="error")))["traces"]] == [
        "req-4", "req-2",
    ]  # fmt: skip


async def test_bodies_are_read_for_one_trace_only(store: TraceStore) -> None:
    bodies = {"client_request": "{}", "upstream": []}
    await store.write([a_record(1, bodies=bodies)])
    engine = await store.engine()
    assert (await list_traces(engine, TraceQuery()))["traces"][0]["bodies"] is None
    found = await get_trace(engine, "req-1")
    assert found is not None and found["bodies"] == bodies
    assert await get_trace(engine, "req-9") is None


async def test_a_reused_request_id_keeps_both_and_shows_the_later(store: TraceStore) -> None:
    await store.write([a_record(1, model="first")])
    await store.write([a_record(2, id="req-1", model="second")])
    engine = await store.engine()
    found = await get_trace(engine, "req-1")
    assert found is not None and found["model"] == "second"
    assert len((await list_traces(engine, TraceQuery()))["traces"]) == 2


async def test_retention_by_age_and_count_keeps_the_ledger(store: TraceStore) -> None:
    old = [a_record(n, time=time.time() - 40 * 86400 + n) for n in range(3)]
    await store.write([*old, *(a_record(n) for n in range(3, 10))])
    removed = await store.retain(before=time.time() - 30 * 86400, max_count=5)
    engine = await store.engine()
    left = (await list_traces(engine, TraceQuery()))["traces"]
    assert removed == 5
    assert [t["id"] for t in left] == [f"req-{n}" for n in range(9, 4, -1)]
    assert sum(row["requests"] for row in await usage(engine, UsageQuery(group_by=("model",)))) == 10


async def test_purge_by_age_or_all(store: TraceStore) -> None:
    await store.write([a_record(1, time=time.time() - 8 * 86400), a_record(2)])
    engine = await store.engine()
    assert await purge(engine, time.time() - 7 * 86400) == 1
    assert await purge(engine, None) == 1
    assert (await list_traces(engine, TraceQuery()))["traces"] == []
    days = await usage(engine, UsageQuery(group_by=("day",)))
    assert [row["requests"] for row in days] == [1, 1]  # two days, newest first
    assert days[0]["day"] > days[1]["day"]


async def test_text_search_escapes_like_wildcards(store: TraceStore) -> None:
    await store.write([a_record(1, reason="strategy=fill-first"), a_record(2, reason="50% off")])
    engine = await store.engine()
    assert [t["id"] for t in (await list_traces(engine, TraceQuery(q="50%")))["traces"]] == ["req-2"]
    assert [t["id"] for t in (await list_traces(engine, TraceQuery(q="FILL")))["traces"]] == ["req-1"]


def _routed(n: int, cost: float | None, baseline: float | None, **routing: object) -> dict:
    decision = {"tier": None, "rule": None, "profile": None, "baseline_cost": baseline, **routing}
    return a_record(n, cost=cost, routing=decision)


async def test_savings_are_summed_per_route_in_the_ledger_and_outlive_the_traces(store: TraceStore) -> None:
    await store.write([_routed(1, 1.0, 3.0, tier="simple"), _routed(2, 2.0, None, tier="simple")])
    await store.write([
        _routed(3, 1.5, 3.0, tier="simple"), _routed(4, 0.5, 2.0, rule="cheap"),
        _routed(5, 1.0, 2.0, tier="medium", profile="fast"), a_record(6, cost=9.0),
    ])  # fmt: skip
    engine = await store.engine()
    await store.retain(before=time.time() + 1, max_count=1)
    assert (await list_traces(engine, TraceQuery()))["traces"] == []
    rows = savings(await usage(engine, UsageQuery(group_by=("route",))))
    shown = ("route", "requests", "unpriced", "cost", "baseline_cost", "saved")
    assert [tuple(row[name] for name in shown) for row in rows] == [
        ("auto simple", 3, 1, 2.5, 6.0, 3.5),
        ("rule cheap", 1, 0, 0.5, 2.0, 1.5),
        ("auto/fast medium", 1, 0, 1.0, 2.0, 1.0),
    ]  # fmt: skip
    by_route = {row["route"]: row for row in await usage(engine, UsageQuery(group_by=("route",)))}
    assert by_route[""]["cost"] == 9.0 and by_route["auto simple"]["cost"] == 4.5


async def test_counts_beyond_32_bits_add_up(store: TraceStore) -> None:
    busy = {"input_uncached": 0, "cache_read": 3_000_000_000, "cache_write": 0, "output": 1, "reasoning": 0}
    await store.write([a_record(1, usage=busy), a_record(2, usage=busy)])
    [row] = await usage(await store.engine(), UsageQuery(group_by=("account",)))
    assert row["cache_read"] == 6_000_000_000


async def test_a_model_name_longer_than_its_column_is_stored_cut(store: TraceStore) -> None:
    # A client names any model it likes; PostgreSQL refuses a value longer than the
    # column (SQLite keeps it), which would lose the whole batch written with it.
    asked = "m" * 300
    await store.write(
        [a_record(1, model=asked, upstream_model=asked), a_record(2, model=asked, upstream_model=asked)]
    )
    engine = await store.engine()
    [trace, _] = (await list_traces(engine, TraceQuery()))["traces"]
    assert trace["model"] == asked  # the record keeps it whole
    [row] = await usage(engine, UsageQuery(group_by=("model",)))
    assert row["model"] == "m" * 256 and row["requests"] == 2


def test_the_ledger_cuts_its_keys_to_its_columns_lengths() -> None:
    assert {name: usage_ledger.c[name].type.length for name in LENGTHS} == LENGTHS  # type: ignore[attr-defined]


@pytest.fixture
async def sqlite_store(tmp_path: Path) -> AsyncIterator[TraceStore]:
    """A SQLite file's store: its batches go through the writer's own process."""
    kept = TraceStore(f"sqlite+aiosqlite:///{tmp_path / 'dragoman.db'}")
    yield kept
    await kept.close()


async def test_a_write_handed_over_is_committed_even_if_its_caller_is_cancelled(
    sqlite_store: TraceStore,
) -> None:
    store = sqlite_store
    await store.engine()  # opened: the next write goes straight to the writer's process
    writing = asyncio.ensure_future(store.write([a_record(n) for n in range(1, 201)]))
    await asyncio.sleep(0)  # handed over
    writing.cancel()
    with pytest.raises(asyncio.CancelledError):
        await writing
    await store.write([a_record(201)])  # the writer takes writes in order
    listed = await list_traces(await store.engine(), TraceQuery(limit=500))
    assert len(listed["traces"]) == 201


async def test_a_failed_write_is_rolled_back_whole(sqlite_store: TraceStore) -> None:
    store = sqlite_store
    await store.write([a_record(1)])
    # A trace's id cannot be NULL: the second row fails, and SQLite's words come back.
    with pytest.raises(TraceWriteError, match=r"^IntegrityError: NOT NULL constraint failed: traces\.id$"):
        await store.write([a_record(2), a_record(3, id=None)])
    listed = await list_traces(await store.engine(), TraceQuery())
    assert [trace["id"] for trace in listed["traces"]] == ["req-1"]


async def test_a_batch_over_many_statements_is_written_whole_in_order(sqlite_store: TraceStore) -> None:
    """The writer inserts up to `CHUNK` rows a statement: a batch of two chunks and a
    remainder lands whole, each row its own."""
    count = 2 * sqlite_process.CHUNK + 7
    await sqlite_store.write([a_record(n) for n in range(count)])
    listed = await list_traces(await sqlite_store.engine(), TraceQuery(limit=500))
    assert sorted(trace["id"] for trace in listed["traces"]) == sorted(f"req-{n}" for n in range(count))
    assert sqlite_process.insert_rows(1) == sqlite_process.INSERT


def test_the_sqlite_writer_sends_the_statements_sqlalchemy_compiles() -> None:
    """The writer spells its SQL out so that writing loads no SQLAlchemy: held equal to
    what SQLAlchemy compiles from `store.tables` for SQLite, so neither drifts."""
    dialect = sqlite.dialect()
    assert engine_writes.compiled_insert(dialect)[0] == sqlite_process.INSERT
    upsert = engine_writes.upsert("sqlite").compile(dialect=dialect, column_keys=list(LEDGER_COLUMNS))
    assert str(upsert) == sqlite_process.UPSERT
    assert {name: traces.c[name].type.length for name in rows.CUT} == rows.CUT  # type: ignore[attr-defined]

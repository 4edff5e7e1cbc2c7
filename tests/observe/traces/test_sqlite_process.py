"""The trace writer's process: framed requests in, one JSON line out per request, SQLite's
refusals answered (not fatal), the end of stdin its only end."""

from __future__ import annotations

import io
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import orjson

from dragoman.observe.traces.ledger import day_of
from dragoman.observe.traces.sqlite_process import CHUNK, FRAME, RETAIN, WRITE, serve
from tests.observe.traces.records import a_record


def frame(kind: bytes, value: object) -> bytes:
    """A request as the gateway frames it: a write's records one JSON line each."""
    if kind == WRITE:
        assert isinstance(value, list)
        payload = b"\n".join(orjson.dumps(record) for record in value)
    else:
        payload = orjson.dumps(value)
    return FRAME.pack(kind, len(payload)) + payload


def answers_to(database: Path, requests: bytes) -> list[dict[str, object]]:
    out = io.BytesIO()
    serve(database, io.BytesIO(requests), out)
    return [orjson.loads(line) for line in out.getvalue().splitlines()]


def stored_ids(database: Path) -> list[str]:
    with sqlite3.connect(database) as connection:
        return [row[0] for row in connection.execute("SELECT id FROM traces ORDER BY time")]


def test_each_request_gets_its_answer_in_order(database: Path) -> None:
    old, new = a_record(1, time=1_000.0), a_record(2)
    requests = frame(WRITE, [old, new]) + frame(RETAIN, [2_000.0, 100]) + frame(RETAIN, [0.0, 100])
    assert answers_to(database, requests) == [{}, {"removed": 1}, {"removed": 0}]
    assert stored_ids(database) == ["req-2"]
    with sqlite3.connect(database) as connection:  # the ledger keeps a deleted trace's usage
        ledger = connection.execute("SELECT day, requests, input_uncached FROM usage_ledger ORDER BY day")
        assert ledger.fetchall() == [("1970-01-01", 1, 10), (day_of(new["time"]), 1, 10)]


def test_a_batch_sqlite_refuses_is_answered_and_rolled_back_whole(database: Path) -> None:
    requests = frame(WRITE, [a_record(1), a_record(2, id=None)]) + frame(WRITE, [a_record(3)])
    assert answers_to(database, requests) == [
        {"error": "IntegrityError: NOT NULL constraint failed: traces.id"},
        {},  # the writer goes on
    ]
    assert stored_ids(database) == ["req-3"]


def test_a_frame_cut_short_ends_it_and_an_unknown_kind_is_answered(database: Path) -> None:
    whole = frame(b"X", []) + frame(WRITE, [a_record(1)])
    assert answers_to(database, whole + frame(WRITE, [a_record(2)])[:-3]) == [
        {"error": "unknown request b'X'"},
        {},
    ]
    assert stored_ids(database) == ["req-1"]


def test_the_process_outlives_a_stop_signal_and_ends_with_its_stdin(database: Path) -> None:
    """A terminal's Ctrl-C and a service manager's stop reach every process of the
    gateway: the writer waits for the gateway's last batch, then for its stdin to close."""
    module = "dragoman.observe.traces.sqlite_process"
    process = subprocess.Popen(
        [sys.executable, "-m", module, str(database)], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(frame(RETAIN, [0.0, 100]))  # answered once its signal handlers are set
    process.stdin.flush()
    assert orjson.loads(process.stdout.readline()) == {"removed": 0}
    process.send_signal(signal.SIGINT)
    process.send_signal(signal.SIGTERM)
    process.stdin.write(frame(WRITE, [a_record(1)]))
    process.stdin.flush()
    assert orjson.loads(process.stdout.readline()) == {}
    process.stdin.close()
    assert process.wait(timeout=30) == 0
    process.stdout.close()
    assert stored_ids(database) == ["req-1"]


def test_a_record_is_stored_as_the_gateway_encoded_it_and_its_bodies_apart(database: Path) -> None:
    bodies = {"client_request": '{"model": "gpt-5"}', "upstream": []}
    plain, kept = a_record(1, cost=0.1234567890123456789), a_record(2, bodies=bodies)
    assert answers_to(database, frame(WRITE, [plain, kept])) == [{}]
    with sqlite3.connect(database) as connection:
        stored = dict(connection.execute("SELECT id, record FROM traces").fetchall())
        kept_bodies = connection.execute("SELECT bodies FROM traces WHERE id = 'req-2'").fetchone()[0]
    assert stored["req-1"] == orjson.dumps(plain).decode()  # as encoded: every digit, every key in its place
    assert orjson.loads(stored["req-2"]) == {**kept, "bodies": None}
    assert orjson.loads(kept_bodies) == bodies


def test_a_batch_read_in_parts_sums_its_ledger_whole(database: Path) -> None:
    count = 3 * CHUNK + 1  # parts of CHUNK records, each its own statement
    records = [a_record(n, time=86_400.0 * 3 + n, cost=0.5) for n in range(count)]
    assert answers_to(database, frame(WRITE, records)) == [{}]
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT count(*) FROM traces").fetchone() == (count,)
        ledger = connection.execute("SELECT day, requests, input_uncached, cost FROM usage_ledger").fetchall()
    assert ledger == [("1970-01-04", count, 10 * count, 0.5 * count)]

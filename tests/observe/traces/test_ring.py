"""The in-memory ring: the newest records, kept as JSON, read back as they were."""

from __future__ import annotations

import orjson

from dragoman.observe.traces.ring import Ring
from tests.observe.traces.records import a_record


def kept(ring: Ring, *numbers: int, **changes: object) -> None:
    for n in numbers:
        record = a_record(n, **changes)
        ring.append(record["id"], record["time"], orjson.dumps(record))


def test_the_newest_are_kept_oldest_first_and_read_back_whole() -> None:
    ring = Ring(3)
    records = [a_record(n, time=1_000.0 + n, bodies={"client_request": "{}"}) for n in (1, 2, 3, 4)]
    for record in records:
        ring.append(record["id"], record["time"], orjson.dumps(record))
    assert len(ring) == 3
    assert ring.records() == records[1:]


def test_a_reused_id_finds_the_newest_and_an_unknown_one_nothing() -> None:
    ring = Ring(10)
    kept(ring, 1, model="first")
    kept(ring, 1, model="second")
    found = ring.find("req-1")
    assert found is not None and found["model"] == "second"
    assert ring.find("req-9") is None


def test_a_purge_drops_what_is_older_and_none_drops_all() -> None:
    ring = Ring(10)
    kept(ring, 1, 2, 3)
    middle = ring.records()[1]["time"]
    assert ring.purge(middle) == 1
    assert [record["id"] for record in ring.records()] == ["req-2", "req-3"]
    assert ring.purge(None) == 2
    assert len(ring) == 0 and ring.records() == []

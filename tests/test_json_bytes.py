"""JSON to keep is held at its own length, whatever buffer orjson wrote it into."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable

import orjson

from dragoman.json_bytes import dumps_kept


def held(make: Callable[[], bytes]) -> int:
    """Bytes still allocated once `make()` returned, its result kept."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        kept = make()
        grown = tracemalloc.get_traced_memory()[0] - before
        assert kept
        return grown
    finally:
        tracemalloc.stop()


def test_the_bytes_are_orjsons_own() -> None:
    value = {"id": "req-1", "text": "naïve \u2028 \U0001f600", "n": [1, 2.5, None, True]}
    assert dumps_kept(value) == orjson.dumps(value)


def test_a_small_object_holds_its_length_not_orjsons_buffer() -> None:
    value = {f"field{n}": "x" * 20 for n in range(45)}  # 1.3 kB of JSON
    length = len(orjson.dumps(value))
    assert held(lambda: dumps_kept(value)) < length + 256

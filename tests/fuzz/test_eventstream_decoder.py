"""Kiro's AWS event-stream decoder (dragoman.providers.kiro.eventstream), fuzzed from
the corpus (tests/fuzz/corpus/eventstream: real messages with every header type): each
file decodes the same cut at every byte; any damage to it (bytes flipped, dropped,
added, the stream cut short) gives the same messages or an EventStreamError, never
another exception, never a hang, never a message whose CRCs did not hold."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dragoman.providers.kiro.eventstream import Decoder, EventStreamError
from tests.fuzz.corpus import EDITS, damaged, files

CORPUS = files("eventstream", ".bin")
SEEDS = [path.read_bytes() for path in CORPUS]


def decoded(chunks: list[bytes]) -> list[tuple[dict[str, Any], bytes]]:
    decoder = Decoder()
    frames = [frame for chunk in chunks for frame in decoder.feed(chunk)]
    return [(frame.headers, frame.payload) for frame in frames + decoder.flush()]


@pytest.mark.parametrize("path", CORPUS, ids=[path.stem for path in CORPUS])
def test_a_corpus_file_decodes_the_same_cut_at_every_byte(path: Path) -> None:
    stream = path.read_bytes()
    whole = decoded([stream])
    assert whole
    for at in range(1, len(stream)):
        assert decoded([stream[:at], b"", stream[at:]]) == whole


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(SEEDS), EDITS, st.integers(1, 64))
def test_damage_gives_the_messages_or_an_event_stream_error(seed: bytes, edits: Any, size: int) -> None:
    data = damaged(seed, edits)
    chunks = [data[start : start + size] for start in range(0, len(data), size)]
    try:
        frames = decoded(chunks)
    except EventStreamError:
        return
    # Both CRCs held for every message, so what came out is what some seed's messages were.
    known = {(str(headers), payload) for seed_bytes in SEEDS for headers, payload in decoded([seed_bytes])}
    assert all((str(headers), payload) in known for headers, payload in frames) or data == b""


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_any_bytes_give_messages_or_an_event_stream_error(data: bytes) -> None:
    with contextlib.suppress(EventStreamError):  # anything else fails the test
        decoded([data])

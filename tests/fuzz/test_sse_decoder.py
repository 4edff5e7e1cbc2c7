"""The SSE decoder (dragoman.sse), fuzzed: any bytes, cut anywhere, decode to the same
events as the whole stream at once, and never raise; what `encode` writes decodes back
as it was; the corpus (tests/fuzz/corpus/sse) replays cut at every byte."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dragoman.sse import Decoder, Event, comment, encode
from tests.fuzz.corpus import files

# The bytes that make SSE's structure, and a multi-byte character to cut in two.
PIECES = st.sampled_from(
    [
        b"data:",
        b"data: ",
        b"event: ",
        b"id: ",
        b"retry: ",
        b": ",
        b"\n",
        b"\r",
        b"\r\n",
        b"x",
        b"1",
        b"\xc3\xa9",
        b" ",
    ]
)
STREAMS = st.lists(PIECES | st.binary(max_size=6), max_size=40).map(b"".join)


def decoded(chunks: list[bytes]) -> list[Event]:
    decoder = Decoder()
    events = [event for chunk in chunks for event in decoder.feed(chunk)]
    return events + decoder.flush()


def cut(stream: bytes, at: list[int]) -> list[bytes]:
    points = sorted({0, len(stream), *(point % (len(stream) + 1) for point in at)})
    return [stream[start:end] for start, end in itertools.pairwise(points)]


@settings(max_examples=300, deadline=None)
@given(STREAMS, st.lists(st.integers(0, 10**6), max_size=8), st.lists(st.integers(0, 40), max_size=3))
def test_any_cut_decodes_as_the_whole_stream(stream: bytes, at: list[int], empties: list[int]) -> None:
    chunks = cut(stream, at)
    for index in empties:  # an HTTP client may hand over an empty chunk anywhere
        chunks.insert(min(index, len(chunks)), b"")
    assert decoded(chunks) == decoded([stream])


@settings(max_examples=200, deadline=None)
@given(
    st.text(st.characters(blacklist_characters="\r\n", blacklist_categories=("Cs",)), max_size=30),
    st.none()
    | st.text(
        st.characters(blacklist_characters="\r\n", blacklist_categories=("Cs",)), min_size=1, max_size=10
    ),
)
def test_what_encode_writes_decodes_back(data: str, name: str | None) -> None:
    stream = comment("keep-alive") + encode(data, name) + encode("second")
    assert decoded([stream]) == [Event(data=data, event=name), Event(data="second")]


@settings(max_examples=200, deadline=None)
@given(STREAMS, st.integers(1, 64))
def test_a_limit_refuses_with_its_own_error_only(stream: bytes, limit: int) -> None:
    class TooLarge(Exception):
        pass

    # Byte by byte: the limit is checked after each chunk, so an event that grows past it
    # and ends within one chunk passes; a guard against memory, not an exact measure.
    decoder = Decoder(limit=limit, too_large=TooLarge)
    try:
        events = [event for byte in stream for event in decoder.feed(bytes([byte]))] + decoder.flush()
    except TooLarge:
        return
    assert all(len(event.data) <= limit for event in events)


@pytest.mark.parametrize("path", files("sse", ".sse"), ids=lambda path: path.name)
def test_the_corpus_decodes_alike_cut_at_every_byte(path: Path) -> None:
    stream = path.read_bytes()
    whole = decoded([stream])
    assert whole, f"{path.name} decodes to no event"
    assert not any(event.data.startswith("\ufeff") for event in whole)
    for at in range(len(stream) + 1):
        assert decoded([stream[:at], b"", stream[at:]]) == whole, f"cut at byte {at}"
    assert decoded([bytes([byte]) for byte in stream]) == whole

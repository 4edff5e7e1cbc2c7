"""The SSE decoder's edges (dragoman.sse); tests/fuzz/test_sse_decoder.py fuzzes it."""

from __future__ import annotations

import pytest

from dragoman.sse import Decoder, Event


def decoded(chunks: list[bytes]) -> list[Event]:
    decoder = Decoder()
    events = [event for chunk in chunks for event in decoder.feed(chunk)]
    return events + decoder.flush()


def test_an_empty_chunk_between_cr_and_lf_is_no_blank_line() -> None:
    """Found by the corpus replay: a chunk ending in CR, an empty chunk, then the LF was
    read as two line breaks, which ended the event early (and split it in two)."""
    stream = b"event: e\r\ndata: one\r\ndata: two\r\n\r\n"
    assert decoded([b"event: e\r", b"", b"\ndata: one\r", b"", b"\ndata: two\r\n\r\n"]) == decoded([stream])
    assert decoded([stream]) == [Event(data="one\ntwo", event="e")]


def test_a_byte_order_mark_opening_the_stream_is_ignored_however_cut() -> None:
    """Found by the fuzz corpus: WHATWG ignores one leading BOM; the decoder read it as
    part of the first field's name (`\\ufeffdata`) and dropped the first event."""
    stream = b"\xef\xbb\xbfdata: first\n\ndata: \xef\xbb\xbfsecond\n\n"
    expected = [Event(data="first"), Event(data="\ufeffsecond")]
    assert decoded([stream]) == expected
    assert decoded([stream[:1], b"", stream[1:2], stream[2:]]) == expected
    assert decoded([b"\xef\xbb"]) == []


def test_endless_empty_data_lines_reach_the_limit() -> None:
    """Found while fuzzing: `data:` lines with nothing after the colon counted for nothing,
    so an upstream sending them without end grew one event past any limit."""

    class TooLarge(Exception):
        pass

    decoder = Decoder(limit=100, too_large=TooLarge)
    with pytest.raises(TooLarge):
        for _ in range(101):
            decoder.feed(b"data:\n")

"""The SSE decoder's edges (dragoman.sse); tests/fuzz/test_sse_decoder.py fuzzes it."""

from __future__ import annotations

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

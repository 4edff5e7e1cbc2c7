"""The event-stream decoder against messages framed by the fake's own encoder: whole,
split at every byte boundary, and damaged (each CRC, each length) into clear errors."""

from __future__ import annotations

import itertools
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dragoman.ir.errors import UpstreamError
from dragoman.providers.kiro.eventstream import Decoder, EventStreamError, decode_headers
from tests.fakes.kiro_frames import event, exception, message

STREAM = [
    event("assistantResponseEvent", {"content": "Hel"}),
    event("assistantResponseEvent", {"content": "lo ✓"}),
    event("toolUseEvent", {"toolUseId": "t1", "name": "f", "input": '{"a":'}),
    exception("ThrottlingException", "slow down"),
]


def _decoded(chunks: list[bytes]) -> list[tuple[dict[str, object], bytes]]:
    decoder = Decoder()
    frames = [frame for chunk in chunks for frame in decoder.feed(chunk)]
    frames += decoder.flush()
    return [(frame.headers, frame.payload) for frame in frames]


def test_whole_messages_decode_with_their_headers_and_payloads() -> None:
    [(headers, payload), *_] = _decoded([b"".join(STREAM)])
    assert headers == {
        ":message-type": "event",
        ":event-type": "assistantResponseEvent",
        ":content-type": "application/json",
    }
    assert payload == b'{"content":"Hel"}'
    assert len(_decoded([b"".join(STREAM)])) == 4


def test_a_split_at_every_byte_boundary_gives_the_same_messages() -> None:
    data = b"".join(STREAM)
    whole = _decoded([data])
    for at in range(len(data) + 1):
        assert _decoded([data[:at], data[at:]]) == whole, at


def test_one_byte_at_a_time_gives_the_same_messages() -> None:
    data = b"".join(STREAM)
    assert _decoded([data[at : at + 1] for at in range(len(data))]) == _decoded([data])


@given(st.lists(st.integers(min_value=0, max_value=1000), max_size=12), st.binary(max_size=300))
def test_any_chunking_of_any_messages_decodes_the_same(cuts: list[int], payload: bytes) -> None:
    data = b"".join([*STREAM, message({":message-type": "event", ":event-type": "x"}, payload)])
    bounds = sorted({0, len(data), *(cut % (len(data) + 1) for cut in cuts)})
    chunks = [data[start:end] for start, end in itertools.pairwise(bounds)]
    decoded = _decoded(chunks)
    assert decoded == _decoded([data])
    assert decoded[-1][1] == payload


@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=1, max_value=255))
def test_any_flipped_byte_is_caught(position: int, flip: int) -> None:
    data = bytearray(STREAM[0])
    data[position % len(data)] ^= flip
    with pytest.raises(EventStreamError):
        _decoded([bytes(data)])


def test_a_bad_prelude_crc_is_a_clear_error() -> None:
    data = bytearray(STREAM[0])
    data[9] ^= 0xFF
    with pytest.raises(EventStreamError, match="prelude CRC"):
        Decoder().feed(bytes(data))


def test_a_bad_message_crc_is_a_clear_error() -> None:
    data = bytearray(STREAM[0])
    data[-1] ^= 0x01
    with pytest.raises(EventStreamError, match="message CRC"):
        Decoder().feed(bytes(data))


def test_a_damaged_payload_fails_the_message_crc() -> None:
    data = bytearray(STREAM[1])
    data[-6] ^= 0x20
    with pytest.raises(EventStreamError, match="message CRC"):
        Decoder().feed(bytes(data))


def test_a_length_over_the_limit_is_refused_before_it_is_buffered() -> None:
    decoder = Decoder(limit=64)
    with pytest.raises(EventStreamError, match=r"outside 16\.\.64"):
        decoder.feed(STREAM[0])


def test_a_stream_that_ends_inside_a_message_is_an_error() -> None:
    decoder = Decoder()
    assert decoder.feed(STREAM[0][:20]) == []
    with pytest.raises(EventStreamError, match="ended inside a message"):
        decoder.flush()


def test_the_error_is_an_upstream_failure_for_the_client() -> None:
    assert issubclass(EventStreamError, UpstreamError)


def test_every_header_type_is_read() -> None:
    raw = b"".join(
        [
            b"\x01a\x00",
            b"\x01b\x01",
            b"\x01c\x02\xff",
            b"\x01d\x03" + struct.pack(">h", -2),
            b"\x01e\x04" + struct.pack(">i", 7),
            b"\x01f\x05" + struct.pack(">q", 8),
            b"\x01g\x06" + struct.pack(">H", 2) + b"\x00\x01",
            b"\x01h\x07" + struct.pack(">H", 2) + b"ok",
            b"\x01i\x08" + struct.pack(">q", 1000),
            b"\x01j\x09" + bytes(range(16)),
        ]
    )
    headers = decode_headers(raw)
    assert headers["a"] is True and headers["b"] is False and headers["c"] == -1
    assert (headers["d"], headers["e"], headers["f"], headers["g"], headers["h"]) == (
        -2,
        7,
        8,
        b"\x00\x01",
        "ok",
    )
    assert headers["i"] == 1000 and headers["j"] == "00010203-0405-0607-0809-0a0b0c0d0e0f"


@pytest.mark.parametrize("raw", [b"\x05ab", b"\x01a\x07\x00\x09abc", b"\x01a\x0c", b"\x01a\x09\x00"])
def test_unreadable_headers_are_a_clear_error(raw: bytes) -> None:
    with pytest.raises(EventStreamError, match="headers that cannot be read"):
        decode_headers(raw)

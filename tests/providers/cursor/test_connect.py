"""The Connect envelope decoder: frames come back whole however the bytes are cut,
gzip frames inflate within the limit, the trailer's error is read, and any damage is
a ConnectError, never another exception (issue 21 fuzzes this further)."""

from __future__ import annotations

import gzip
import struct

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dragoman.ir.errors import RateLimited
from dragoman.providers.cursor.connect import ConnectError, Decoder, Frame, encode
from dragoman.providers.cursor.error import from_trailer
from dragoman.providers.cursor.stream import Parser

messages = st.lists(st.tuples(st.binary(max_size=300), st.booleans()), max_size=6)


def _cut(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({min(cut, len(data)) for cut in cuts})
    return [data[start:end] for start, end in zip([0, *points], [*points, len(data)], strict=True)]


@given(messages, st.lists(st.integers(min_value=0, max_value=4000), max_size=12))
def test_frames_come_back_whole_however_the_bytes_are_cut(
    sent: list[tuple[bytes, bool]], cuts: list[int]
) -> None:
    trailer = orjson.dumps({"metadata": {}})
    data = b"".join(encode(payload, compress=packed) for payload, packed in sent)
    data += encode(trailer, end=True)
    decoder = Decoder()
    frames = [frame for piece in _cut(data, cuts) for frame in decoder.feed(piece)]
    decoder.close()
    assert frames == [*(Frame(payload) for payload, _ in sent), Frame(trailer, end=True)]


@given(st.binary(max_size=200), st.lists(st.integers(min_value=0, max_value=200), max_size=6))
def test_any_bytes_are_frames_or_a_connect_error(data: bytes, cuts: list[int]) -> None:
    decoder = Decoder(limit=1024)
    try:
        for piece in _cut(data, cuts):
            for frame in decoder.feed(piece):
                if frame.end:
                    frame.trailer()
        decoder.close()
    except ConnectError:
        pass


def test_a_frame_over_the_limit_is_refused_before_its_bytes_arrive() -> None:
    with pytest.raises(ConnectError, match="over the limit"):
        Decoder(limit=100).feed(struct.pack(">BI", 0, 101))


def test_a_small_gzip_frame_may_not_inflate_past_the_limit() -> None:
    bomb = encode(b"\0" * 100_000, compress=True)
    assert len(bomb) < 1000
    with pytest.raises(ConnectError, match="inflates past"):
        Decoder(limit=10_000).feed(bomb)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (struct.pack(">BI", 0x80, 0), "unknown frame flags"),
        (struct.pack(">BI", 0x01, 3) + b"abc", "not gzip"),
        (encode(b"{}", end=True) + encode(b"x"), "after the end-of-stream"),
    ],
    ids=["flags", "gzip", "after-end"],
)
def test_damage_is_named(data: bytes, reason: str) -> None:
    with pytest.raises(ConnectError, match=reason):
        Decoder().feed(data)


def test_a_stream_cut_inside_a_frame_is_an_error_at_close() -> None:
    decoder = Decoder()
    assert decoder.feed(encode(b"hello")[:-1]) == []
    with pytest.raises(ConnectError, match="inside a frame"):
        decoder.close()


def test_the_trailers_error_is_read_with_connects_status() -> None:
    frame = Frame(orjson.dumps({"error": {"code": "resource_exhausted", "message": "slow down"}}), end=True)
    error = from_trailer(frame.trailer())
    assert isinstance(error, RateLimited) and error.message == "slow down"
    with pytest.raises(RateLimited):
        Parser().feed(frame)
    assert Parser().feed(Frame(b"", end=True)) == []
    assert gzip.decompress(encode(b"x", compress=True)[5:]) == b"x"

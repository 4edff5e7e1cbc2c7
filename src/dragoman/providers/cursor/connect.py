"""The Connect protocol's streaming envelope (connectrpc.com/docs/protocol), which
Cursor's Agent API speaks over HTTP/2 (runtimes.md §3g):

    flags (1 byte) | length (4 bytes, big-endian) | payload (length bytes)

Flag bit 0 marks a compressed payload (gzip, the encoding Cursor's client accepts),
bit 1 the end of the stream: that last message is a JSON trailer, `{"error": {"code",
"message"}?, "metadata"?}`, not a protobuf message. `Decoder` takes the bytes as they
arrive, cut anywhere, and gives whole frames; everything it refuses is a
`ConnectError`, never another exception (issue 21 fuzzes it).
"""

from __future__ import annotations

import gzip
import struct
import zlib
from dataclasses import dataclass
from typing import Any

import orjson

COMPRESSED, END_STREAM = 0x01, 0x02
KNOWN_FLAGS = COMPRESSED | END_STREAM
HEADER = struct.Struct(">BI")
# No Connect message dragoman would read comes near this; a length past it is damage.
DEFAULT_LIMIT = 16 * 1024 * 1024


class ConnectError(ValueError):
    """Bytes that are not a Connect stream."""


@dataclass(frozen=True, slots=True)
class Frame:
    payload: bytes  # decompressed
    end: bool = False

    def trailer(self) -> dict[str, Any]:
        """The end-of-stream message as JSON (`{}` when empty). Raises ConnectError."""
        if not self.end:
            raise ConnectError("a message frame has no trailer")
        if not self.payload:
            return {}
        try:
            found = orjson.loads(self.payload)
        except orjson.JSONDecodeError:
            raise ConnectError("the end-of-stream trailer is not JSON") from None
        if not isinstance(found, dict):
            raise ConnectError("the end-of-stream trailer is not a JSON object")
        return found


def encode(payload: bytes, *, end: bool = False, compress: bool = False) -> bytes:
    """One frame (used by the fake, and by a future request writer)."""
    flags = (END_STREAM if end else 0) | (COMPRESSED if compress else 0)
    body = gzip.compress(payload) if compress else payload
    return HEADER.pack(flags, len(body)) + body


class Decoder:
    """Whole frames from bytes fed in any pieces. After the end-of-stream frame, any
    further byte is an error."""

    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        self.limit = limit
        self.buffer = bytearray()
        self.ended = False

    def feed(self, data: bytes) -> list[Frame]:
        self.buffer += data
        frames: list[Frame] = []
        while (frame := self._next()) is not None:
            frames.append(frame)
        return frames

    def close(self) -> None:
        """The stream's bytes are over. Raises ConnectError if a frame was cut short."""
        if self.buffer:
            raise ConnectError(f"the stream ended inside a frame ({len(self.buffer)} bytes left over)")

    def _next(self) -> Frame | None:
        if self.buffer and self.ended:
            raise ConnectError("bytes after the end-of-stream frame")
        if len(self.buffer) < HEADER.size:
            return None
        flags, length = HEADER.unpack_from(self.buffer)
        if flags & ~KNOWN_FLAGS:
            raise ConnectError(f"unknown frame flags 0x{flags:02x}")
        if length > self.limit:
            raise ConnectError(f"a frame of {length} bytes is over the limit of {self.limit}")
        if len(self.buffer) < HEADER.size + length:
            return None
        body = bytes(self.buffer[HEADER.size : HEADER.size + length])
        del self.buffer[: HEADER.size + length]
        self.ended = bool(flags & END_STREAM)
        payload = _inflated(body, self.limit) if flags & COMPRESSED else body
        return Frame(payload, end=self.ended)


def _inflated(body: bytes, limit: int) -> bytes:
    """A gzip payload, bounded by `limit` (a small frame must not inflate without end)."""
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        payload = inflater.decompress(body, limit + 1)
    except zlib.error:
        raise ConnectError("a compressed frame is not gzip") from None
    if len(payload) > limit:
        raise ConnectError(f"a compressed frame inflates past the limit of {limit} bytes")
    if not inflater.eof or inflater.unused_data:
        raise ConnectError("a compressed frame is not one whole gzip member")
    return payload

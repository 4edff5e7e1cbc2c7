"""The AWS event-stream framing Kiro answers in (`application/vnd.amazon.eventstream`,
upstreams.md §7.4): binary messages, each checked by two CRC32s.

    [0..4)    total length    u32 BE (the whole message, prelude and trailing CRC included)
    [4..8)    headers length  u32 BE
    [8..12)   prelude CRC     CRC32 of bytes [0..8)
    headers   repeated: name length u8, name, value type u8, value
    payload   (JSON for Kiro)
    [-4..)    message CRC     CRC32 of everything before it

The decoder is incremental: chunks split a message anywhere. A damaged message (a CRC
that does not match, a length out of bounds, a header it cannot read) is an
`EventStreamError`: after one, the byte stream cannot be trusted to find the next message.
"""

from __future__ import annotations

import json
import struct
import uuid
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dragoman.ir.errors import UpstreamError

PRELUDE = 12
MINIMUM = PRELUDE + 4
MAXIMUM = 16 * 1024 * 1024
STRING = 7


class EventStreamError(UpstreamError):
    """A message that breaks the framing: the stream cannot go on past it (the
    upstream failed us: the client sees a 502, or the stream's error event)."""


@dataclass(slots=True)
class Frame:
    """One message: its headers by name and its payload bytes."""

    headers: dict[str, Any] = field(default_factory=dict)
    payload: bytes = b""

    @property
    def message_type(self) -> str:
        return str(self.headers.get(":message-type", "event"))

    @property
    def event_type(self) -> str:
        name = self.headers.get(":event-type") or self.headers.get(":exception-type")
        return str(name or self.headers.get(":error-code") or "")

    @property
    def data(self) -> str:
        """The payload as text; an exception's with its type, as the pools read errors
        (`pools.error_body`): the stream hold keeps it for the pool to judge."""
        text = self.payload.decode("utf-8", "replace")
        if self.message_type == "event":
            return text
        try:
            message = json.loads(text).get("message")
        except (ValueError, AttributeError):
            message = text
        return json.dumps({"type": self.event_type, "message": message})


class Decoder:
    """Bytes in, `Frame`s out, partial messages buffered between chunks."""

    __slots__ = ("_buffer", "_limit")

    def __init__(self, limit: int = MAXIMUM) -> None:
        self._buffer = bytearray()
        self._limit = min(limit, MAXIMUM)

    def feed(self, chunk: bytes) -> list[Frame]:
        self._buffer += chunk
        frames = []
        while (frame := self._next()) is not None:
            frames.append(frame)
        return frames

    def flush(self) -> list[Frame]:
        """The end of the bytes: a message left half-read is an error."""
        if self._buffer:
            size = len(self._buffer)
            self._buffer.clear()
            raise EventStreamError(f"the event stream ended inside a message ({size} bytes left over)")
        return []

    def _next(self) -> Frame | None:
        if len(self._buffer) < PRELUDE:
            return None
        total, headers_length = _prelude(bytes(self._buffer[:PRELUDE]), self._limit)
        if len(self._buffer) < total:
            return None
        message = bytes(self._buffer[:total])
        del self._buffer[:total]
        return decode_message(message, headers_length)


def _prelude(prelude: bytes, limit: int) -> tuple[int, int]:
    total, headers_length, crc = struct.unpack(">III", prelude)
    if zlib.crc32(prelude[:8]) != crc:
        raise EventStreamError("an event-stream message failed its prelude CRC check")
    if total < MINIMUM or total > limit:
        raise EventStreamError(f"an event-stream message declares {total} bytes, outside {MINIMUM}..{limit}")
    if headers_length > total - MINIMUM:
        raise EventStreamError("an event-stream message declares headers longer than itself")
    return total, headers_length


def decode_message(message: bytes, headers_length: int) -> Frame:
    """One whole message whose prelude was checked: its CRC, headers and payload."""
    (crc,) = struct.unpack(">I", message[-4:])
    if zlib.crc32(message[:-4]) != crc:
        raise EventStreamError("an event-stream message failed its message CRC check")
    headers = decode_headers(message[PRELUDE : PRELUDE + headers_length])
    return Frame(headers, message[PRELUDE + headers_length : -4])


def decode_headers(raw: bytes) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    at = 0
    try:
        while at < len(raw):
            size = raw[at]
            name = raw[at + 1 : at + 1 + size].decode("utf-8")
            value, at = _value(raw, at + 1 + size)
            headers[name] = value
    except (IndexError, struct.error, UnicodeDecodeError, KeyError):
        raise EventStreamError("an event-stream message has headers that cannot be read") from None
    return headers


def _value(raw: bytes, at: int) -> tuple[Any, int]:
    kind = raw[at]
    reader, size = _FIXED.get(kind, (None, 0))
    if reader is not None:
        if len(raw) < at + 1 + size:
            raise IndexError("short header value")
        return reader(raw[at + 1 : at + 1 + size]), at + 1 + size
    (length,) = struct.unpack(">H", raw[at + 1 : at + 3])
    data = raw[at + 3 : at + 3 + length]
    if len(data) != length or kind not in (6, STRING):
        raise KeyError(kind)
    return (data.decode("utf-8") if kind == STRING else data), at + 3 + length


def _int(fmt: str) -> Callable[[bytes], Any]:
    return lambda data: struct.unpack(fmt, data)[0]


# Fixed-size header value types: (reader, size). 6 (bytes) and 7 (string) carry a length.
_FIXED: dict[int, tuple[Callable[[bytes], Any], int]] = {
    0: (lambda _: True, 0),
    1: (lambda _: False, 0),
    2: (_int(">b"), 1),
    3: (_int(">h"), 2),
    4: (_int(">i"), 4),
    5: (_int(">q"), 8),
    8: (_int(">q"), 8),
    9: (lambda data: str(uuid.UUID(bytes=data)), 16),
}

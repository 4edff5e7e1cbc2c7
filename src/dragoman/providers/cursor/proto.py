"""The protobuf wire format, read (protobuf.dev/programming-guides/encoding): enough to
read Cursor's answers field by field without generated code or a dependency.

A message is a run of fields, each a varint key (`number << 3 | wire type`) then its
value: a varint (type 0), 8 little-endian bytes (1), a varint length and that many bytes
(2: strings, bytes, nested messages, packed lists), or 4 bytes (5). Types 3 and 4 are
the deprecated groups, which no current schema writes: they are refused rather than
walked. A reader keeps the fields it knows and skips the others, as protobuf does;
everything it refuses is a `ProtoError` (a ValueError), never another exception.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

VARINT, I64, LEN, I32 = 0, 1, 2, 5
FIXED_SIZE = {I64: 8, I32: 4}
# A varint holds at most 64 bits: 10 bytes of 7.
MAX_VARINT_BYTES = 10


class ProtoError(ValueError):
    """Bytes that are not a protobuf message."""


@dataclass(frozen=True, slots=True)
class Field:
    number: int
    wire_type: int
    value: int | bytes  # bytes for a length-delimited field, else the number


def fields(data: bytes) -> Iterator[Field]:
    """The message's fields in order. Raises ProtoError where the bytes stop being one."""
    at = 0
    while at < len(data):
        key, at = varint(data, at)
        number, wire_type = key >> 3, key & 0x07
        if number == 0:
            raise ProtoError("a field numbered 0")
        value, at = _value(data, at, wire_type, number)
        yield Field(number, wire_type, value)


def varint(data: bytes, at: int) -> tuple[int, int]:
    """The varint at `at`, and where the bytes after it start."""
    result = 0
    for index in range(MAX_VARINT_BYTES):
        if at + index >= len(data):
            raise ProtoError("the message ends inside a varint")
        byte = data[at + index]
        result |= (byte & 0x7F) << (7 * index)
        if not byte & 0x80:
            return result, at + index + 1
    raise ProtoError(f"a varint longer than {MAX_VARINT_BYTES} bytes")


def _value(data: bytes, at: int, wire_type: int, number: int) -> tuple[int | bytes, int]:
    if wire_type == VARINT:
        return varint(data, at)
    if wire_type == LEN:
        length, at = varint(data, at)
        return _take(data, at, length, number)
    if wire_type in FIXED_SIZE:
        found, end = _take(data, at, FIXED_SIZE[wire_type], number)
        return int.from_bytes(found, "little"), end
    raise ProtoError(f"field {number} has wire type {wire_type}, which is not read")


def _take(data: bytes, at: int, length: int, number: int) -> tuple[bytes, int]:
    end = at + length
    if end > len(data):
        raise ProtoError(f"field {number} runs {end - len(data)} bytes past the message's end")
    return bytes(data[at:end]), end


def text(found: Field) -> str:
    """A string field's value. Raises ProtoError if it is not UTF-8 bytes."""
    try:
        return message(found).decode("utf-8")
    except UnicodeDecodeError:
        raise ProtoError(f"field {found.number} is not UTF-8 text") from None


def message(found: Field) -> bytes:
    """A length-delimited field's bytes (a nested message's). Raises ProtoError for
    another wire type: the schema and the bytes disagree."""
    if not isinstance(found.value, bytes):
        raise ProtoError(f"field {found.number} is wire type {found.wire_type}, not length-delimited")
    return found.value

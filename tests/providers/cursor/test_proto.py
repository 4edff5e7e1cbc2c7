"""The protobuf wire reader against Google's own encoder: every field and wire type read
as written, unknown fields kept apart for the caller to skip, and damaged bytes refused
with a ProtoError (never another exception)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dragoman.providers.cursor.proto import I32, I64, LEN, VARINT, Field, ProtoError, fields, message, text
from tests.fakes.cursor_proto import CLASSES, model_details, usable_models


def test_each_wire_type_is_read_as_protobuf_writes_it() -> None:
    # field 1 varint 300, field 2 "hi", field 3 fixed64 7, field 4 fixed32 9
    data = bytes([0x08, 0xAC, 0x02, 0x12, 2, *b"hi", 0x19, 7, 0, 0, 0, 0, 0, 0, 0, 0x25, 9, 0, 0, 0])
    assert list(fields(data)) == [
        Field(1, VARINT, 300),
        Field(2, LEN, b"hi"),
        Field(3, I64, 7),
        Field(4, I32, 9),
    ]


def test_a_message_written_by_protobuf_reads_field_by_field() -> None:
    details = model_details("gpt-5", "GPT-5", thinking=True)
    found = list(fields(details.SerializeToString()))
    assert [(item.number, item.wire_type) for item in found] == [
        (1, LEN), (2, LEN), (3, LEN), (4, LEN), (5, LEN), (6, LEN), (7, VARINT)
    ]  # fmt: skip
    assert text(found[0]) == "gpt-5" and message(found[1]) == b"" and found[6].value == 1
    [listed] = fields(usable_models([details]))
    assert message(listed) == details.SerializeToString()


def test_a_64_bit_varint_is_read_whole() -> None:
    data = CLASSES["ModelDetails"](model_id="x").SerializeToString() + bytes([0x38, *[0xFF] * 9, 0x01])
    assert list(fields(data))[-1] == Field(7, VARINT, 2**64 - 1)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (bytes([0x0A, 5, *b"abc"]), "past the message's end"),
        (bytes([0x08, 0x80]), "ends inside a varint"),
        (bytes([0x08, *[0x80] * 10, 0x01]), "longer than 10 bytes"),
        (bytes([0x0B]), "wire type 3"),
        (bytes([0x00, 0x01]), "numbered 0"),
        (bytes([0x1D, 1, 2]), "past the message's end"),
    ],
    ids=["cut string", "cut varint", "long varint", "group", "field 0", "cut fixed32"],
)
def test_damage_is_named(data: bytes, reason: str) -> None:
    with pytest.raises(ProtoError, match=reason):
        list(fields(data))


def test_a_field_of_the_wrong_kind_is_refused_where_it_is_read() -> None:
    with pytest.raises(ProtoError, match="field 1 is wire type 0"):
        text(Field(1, VARINT, 5))
    with pytest.raises(ProtoError, match="not UTF-8"):
        text(Field(4, LEN, b"\xff\xfe"))


@given(st.binary(max_size=64))
def test_any_bytes_are_fields_or_a_proto_error(data: bytes) -> None:
    try:
        found = list(fields(data))
    except ProtoError:
        return
    assert all(item.number > 0 for item in found)

"""multipart/form-data read and written again: fields and files survive, binary content
byte for byte (bytes that look like a boundary or line ends included)."""

from __future__ import annotations

import os

import pytest

from dragoman.ir.errors import InvalidRequest
from dragoman.server.form import Form, FormFile, encode, parse


def test_a_form_survives_a_round_trip() -> None:
    blob = os.urandom(50_000) + b"\r\n--boundary\r\n\r\n\n\r"
    form = Form(
        {"model": "gpt-image-2", "prompt": "a fox, naïvely drawn"},
        [
            FormFile("image[]", "a.png", blob, "image/png"),
            FormFile("image[]", "b.bin", b"", "application/octet-stream"),
        ],
    )
    again = parse(*reversed(encode(form)))
    assert again == form


def test_a_body_that_is_no_form_is_refused() -> None:
    with pytest.raises(InvalidRequest, match="no parts"):
        parse("multipart/form-data; boundary=x", b"just words")

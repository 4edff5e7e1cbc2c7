"""OpenAI's images API as the OpenAI fakes serve it: POST /v1/images/generations, and
POST /v1/images/edits (a multipart form: the image files as `image` or `image[]`, an
optional `mask` file, the other fields as text).

Validates as api.openai.com does (model and prompt required, an edit's image too, `n`
1-10, no unknown field) and answers `n` images, each a tiny PNG whose text chunk holds
the prompt (an edit's also how many image bytes it was given), as `b64_json` (GPT image
models answer nothing else), with token usage from the scripted Reply.
"""

from __future__ import annotations

import base64
import struct
import zlib
from email import policy
from email.parser import BytesParser
from typing import Any

from tests.fakes.base import Rejected, words
from tests.fakes.openai_base import expect_type, missing, now, reject_unknown
from tests.fakes.script import RecordedRequest, Reply

FIELDS = words(
    """model prompt n size quality background output_format output_compression moderation
    response_format style user partial_images stream"""
)
EDIT_FIELDS = words(
    """model prompt n size quality background output_format output_compression response_format
    user partial_images stream input_fidelity image image[] mask"""
)
FILES = "_files"  # the key under which a decoded form keeps its files: [(name, bytes)]


def read_form(record: RecordedRequest) -> dict[str, Any]:
    """A multipart request's fields, and its files under `FILES`."""
    head = b"Content-Type: " + (record.header("content-type") or "").encode() + b"\r\n\r\n"
    message = BytesParser(policy=policy.HTTP).parsebytes(head + record.body)
    if not message.is_multipart():
        raise Rejected("Invalid request: expected a multipart/form-data body.")
    form: dict[str, Any] = {FILES: []}
    for part in message.iter_parts():
        name, content = part.get_param("name", header="content-disposition"), part.get_payload(decode=True)
        if part.get_filename() is None:
            form[name] = content.decode()
        else:
            form[FILES].append((name, content))
    return form


def validate_edit(form: Any) -> None:
    given = [name for name, _ in form[FILES]]
    reject_unknown({**dict.fromkeys(given), **form}, EDIT_FIELDS | {FILES}, "Unknown parameter: '{name}'.")
    if not any(name in ("image", "image[]") for name in given):
        raise missing("image")
    for name in ("model", "prompt"):
        if name not in form:
            raise missing(name)
    n = form.get("n", "1")
    if not n.isdigit() or not 1 <= int(n) <= 10:
        raise Rejected(f"Invalid 'n': integer out of range [1, 10], got {n!r}.", param="n")


def answer_edit(form: dict[str, Any], reply: Reply) -> dict[str, Any]:
    given = sum(len(content) for name, content in form[FILES] if name in ("image", "image[]"))
    prompt = f"{form['prompt']} (edited {given} image bytes)"
    return answer({**form, "prompt": prompt, "n": int(form.get("n", "1"))}, reply)


def validate(body: Any) -> None:
    if not isinstance(body, dict):
        raise Rejected("Invalid request body: expected a JSON object.")
    reject_unknown(body, FIELDS, "Unknown parameter: '{name}'.")
    for name in ("model", "prompt"):
        if name not in body:
            raise missing(name)
        expect_type(body[name], str, "a string", name)
    n = body.get("n", 1)
    if not isinstance(n, int) or not 1 <= n <= 10:
        raise Rejected(f"Invalid 'n': integer out of range [1, 10], got {n!r}.", param="n")


def answer(body: dict[str, Any], reply: Reply) -> dict[str, Any]:
    image = base64.b64encode(png(body["prompt"])).decode()
    return {
        "created": now(),
        "data": [{"b64_json": image} for _ in range(body.get("n", 1))],
        "output_format": "png",
        "size": body.get("size", "1024x1024"),
        "quality": body.get("quality", "medium"),
        "usage": {
            "input_tokens": reply.usage.input,
            "output_tokens": reply.usage.output,
            "total_tokens": reply.usage.input + reply.usage.output,
            "input_tokens_details": {"text_tokens": reply.usage.input, "image_tokens": 0},
        },
    }


def png(text: str) -> bytes:
    """A valid 1x1 PNG carrying `text` in a tEXt chunk."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    body = chunk(b"IHDR", header) + chunk(b"tEXt", b"prompt\x00" + text.encode()) + chunk(b"IDAT", pixels)
    return b"\x89PNG\r\n\x1a\n" + body + chunk(b"IEND", b"")

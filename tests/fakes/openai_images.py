"""OpenAI's images API as the OpenAI fakes serve it: POST /v1/images/generations.

Validates as api.openai.com does (model and prompt required, `n` 1-10, no unknown field)
and answers `n` images, each a tiny PNG whose text chunk holds the prompt, as `b64_json`
(GPT image models answer nothing else), with token usage from the scripted Reply.
"""

from __future__ import annotations

import base64
import struct
import zlib
from typing import Any

from tests.fakes.base import Rejected, words
from tests.fakes.openai_base import expect_type, missing, now, reject_unknown
from tests.fakes.script import Reply

FIELDS = words(
    """model prompt n size quality background output_format output_compression moderation
    response_format style user partial_images stream"""
)


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

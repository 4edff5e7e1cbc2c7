"""Kiro's answers in the AWS event-stream framing (upstreams.md §7.4), written from the
format's description, not from dragoman's decoder: a 12-byte prelude (total length,
headers length, prelude CRC32), string headers, a JSON payload, the message CRC32.

    event(name, payload)          an `:message-type event` message
    exception(kind, message)      an `:message-type exception` message
    answer_frames(reply)          a scripted Reply as the messages Kiro would send
    cut(data, pieces)             the bytes in uneven pieces, across message boundaries
"""

from __future__ import annotations

import itertools
import struct
import zlib
from typing import Any

import orjson

from tests.fakes.base import new_id
from tests.fakes.script import Reply

CONTEXT_WINDOW = 200_000


def message(headers: dict[str, str], payload: bytes) -> bytes:
    raw = b"".join(_header(name, value) for name, value in headers.items())
    prelude = struct.pack(">II", 12 + len(raw) + len(payload) + 4, len(raw))
    prelude += struct.pack(">I", zlib.crc32(prelude))
    body = prelude + raw + payload
    return body + struct.pack(">I", zlib.crc32(body))


def _header(name: str, value: str) -> bytes:
    encoded_name, encoded = name.encode(), value.encode()
    return bytes([len(encoded_name)]) + encoded_name + b"\x07" + struct.pack(">H", len(encoded)) + encoded


def event(name: str, payload: dict[str, Any]) -> bytes:
    headers = {":message-type": "event", ":event-type": name, ":content-type": "application/json"}
    return message(headers, orjson.dumps(payload))


def exception(kind: str, text: str) -> bytes:
    headers = {":message-type": "exception", ":exception-type": kind, ":content-type": "application/json"}
    return message(headers, orjson.dumps({"message": text}))


def answer_frames(reply: Reply) -> list[bytes]:
    frames: list[bytes] = []
    if reply.thinking:
        frames.append(event("reasoningContentEvent", {"text": reply.thinking, "signature": new_id("sig")}))
    for piece in _pieces(reply.text or "", reply.chunks):
        frames.append(event("assistantResponseEvent", {"content": piece}))
    for call in reply.tool_calls:
        frames += _tool_frames(call.id or new_id("tooluse_"), call.name, orjson.dumps(call.args).decode())
    if reply.stop == "max_tokens":
        frames.append(exception("ContentLengthExceededException", "The output exceeded the maximum length"))
    frames.append(event("meteringEvent", {"unit": "credit", "unitPlural": "credits", "usage": 0.25}))
    share = reply.usage.input * 100 / CONTEXT_WINDOW
    frames.append(event("contextUsageEvent", {"contextUsagePercentage": share}))
    return frames


def _tool_frames(call_id: str, name: str, arguments: str) -> list[bytes]:
    """A call as Kiro streams it: its name, its input JSON in fragments, its stop."""
    frames = [event("toolUseEvent", {"name": name, "toolUseId": call_id, "input": ""})]
    for piece in _pieces(arguments, 3):
        frames.append(event("toolUseEvent", {"name": name, "toolUseId": call_id, "input": piece}))
    frames.append(event("toolUseEvent", {"name": name, "toolUseId": call_id, "stop": True}))
    return frames


def _pieces(text: str, count: int) -> list[str]:
    if not text:
        return []
    size = max(1, -(-len(text) // max(1, count)))
    return [text[at : at + size] for at in range(0, len(text), size)]


def cut(data: bytes, pieces: int) -> list[bytes]:
    """`data` in `pieces` uneven chunks that ignore message boundaries."""
    if pieces <= 1 or len(data) < pieces:
        return [data]
    step = len(data) // pieces
    inner = {min(len(data), at * step + (at % 3) * 5) for at in range(1, pieces)}
    bounds = sorted({0, *inner, len(data)})
    return [data[start:end] for start, end in itertools.pairwise(bounds)]

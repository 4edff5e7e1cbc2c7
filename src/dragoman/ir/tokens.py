"""A local token estimate, for count-tokens requests no upstream can answer exactly.

About four characters a token for text and JSON, a flat cost per image and document,
a few tokens per message for its framing: close enough for a client deciding when to
compact its context, which is what these endpoints are used for.
"""

from __future__ import annotations

import orjson

from dragoman.ir.messages import Document, Image, Part, Text, Thinking, ToolCall, ToolResult
from dragoman.ir.request import Request

CHARS_PER_TOKEN = 4
IMAGE_TOKENS = 1_600
DOCUMENT_TOKENS = 3_000
MESSAGE_OVERHEAD = 4


def estimate(request: Request) -> int:
    chars = sum(len(block.text) for block in request.system)
    tokens = 0
    for message in request.messages:
        tokens += MESSAGE_OVERHEAD
        for part in message.parts:
            part_chars, part_tokens = _part_cost(part)
            chars += part_chars
            tokens += part_tokens
    for tool in request.tools:
        chars += len(tool.name) + len(tool.description or "") + len(orjson.dumps(tool.parameters or {}))
    return tokens + (chars + CHARS_PER_TOKEN - 1) // CHARS_PER_TOKEN


def _part_cost(part: Part) -> tuple[int, int]:
    """(characters, flat tokens) a part costs."""
    if isinstance(part, Text | Thinking):
        return len(part.text), 0
    if isinstance(part, ToolCall):
        return len(part.name) + len(part.arguments), 0
    if isinstance(part, Image):
        return 0, IMAGE_TOKENS
    if isinstance(part, Document):
        return len(part.text or ""), 0 if part.text else DOCUMENT_TOKENS
    if isinstance(part, ToolResult):
        costs = [_part_cost(inner) for inner in part.content]
        return sum(c for c, _ in costs), sum(t for _, t in costs)
    return 0, 0

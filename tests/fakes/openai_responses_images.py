"""The Responses `image_generation` tool as the Responses fake serves it: a scripted call
named `image_generation`, when the request offers that tool, is the hosted tool's
`image_generation_call` item (a PNG holding the call's `prompt`, as base64 `result`),
streamed as OpenAI does: output_item.added (in_progress, no result),
image_generation_call.in_progress, .generating, .completed, output_item.done."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

from tests.fakes.base import new_id
from tests.fakes.openai_images import png
from tests.fakes.script import Call

TOOL = "image_generation"
Event = tuple[str, dict[str, Any]]


def offered(body: dict[str, Any]) -> bool:
    return any(isinstance(tool, dict) and tool.get("type") == TOOL for tool in body.get("tools") or [])


def item(call: Call) -> dict[str, Any]:
    prompt = str(call.args.get("prompt", ""))
    return {
        "id": new_id("ig_"),
        "type": "image_generation_call",
        "status": "completed",
        "action": "generate",
        "background": "opaque",
        "output_format": "png",
        "quality": "medium",
        "revised_prompt": prompt,
        "size": "1024x1024",
        "result": base64.b64encode(png(prompt)).decode(),
    }


def events(done: dict[str, Any], index: int, chunks: int) -> Iterator[Event]:
    at = {"item_id": done["id"], "output_index": index}
    opening = {"id": done["id"], "type": done["type"], "status": "in_progress", "result": None}
    yield "response.output_item.added", {"output_index": index, "item": opening}
    for stage in ("in_progress", "generating", "completed"):
        yield f"response.image_generation_call.{stage}", dict(at)
    yield "response.output_item.done", {"output_index": index, "item": done}

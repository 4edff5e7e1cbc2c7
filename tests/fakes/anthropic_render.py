"""A Reply as an Anthropic Messages answer: the Message object and its SSE event sequence.

Thinking appears only when the request turns thinking on (`enabled` or `adaptive`); with
`display: "omitted"` its text is empty but the signature is still sent. In a stream the
signature arrives as one `signature_delta` just before the thinking block stops.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Callable, Iterator
from typing import Any

import orjson

from tests.fakes.script import Reply, split

Event = tuple[str, dict[str, Any]]
STOP = {"end": "end_turn", "max_tokens": "max_tokens", "refusal": "refusal"}
_BASE62 = string.ascii_letters + string.digits


def anthropic_id(prefix: str) -> str:
    return prefix + "".join(secrets.choice(_BASE62) for _ in range(24))


def stop_reason(reply: Reply) -> str:
    return "tool_use" if reply.tool_calls and reply.stop == "end" else STOP[reply.stop]


def usage(reply: Reply) -> dict[str, Any]:
    u = reply.usage
    return {
        "input_tokens": u.input - u.cached - u.cache_write,
        "cache_creation_input_tokens": u.cache_write,
        "cache_read_input_tokens": u.cached,
        "cache_creation": {"ephemeral_5m_input_tokens": u.cache_write, "ephemeral_1h_input_tokens": 0},
        "output_tokens": u.output,
        "service_tier": "standard",
    }


def thinking_on(body: dict[str, Any]) -> bool:
    thinking = body.get("thinking")
    return isinstance(thinking, dict) and thinking.get("type") in ("enabled", "adaptive")


def content(body: dict[str, Any], reply: Reply, issue: Callable[[], str]) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    if reply.thinking is not None and thinking_on(body):
        shown = body["thinking"].get("display") != "omitted"
        blocks.append({"type": "thinking", "thinking": reply.thinking if shown else "", "signature": issue()})
    if reply.text is not None:
        blocks.append({"type": "text", "text": reply.text})
    for call in reply.tool_calls:
        blocks.append(
            {
                "type": "tool_use",
                "id": call.id or anthropic_id("toolu_01"),
                "name": call.name,
                "input": call.args,
            }
        )
    return blocks


def message(body: dict[str, Any], reply: Reply, blocks: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": anthropic_id("msg_01"),
        "type": "message",
        "role": "assistant",
        "model": body["model"],
        "content": blocks,
        "stop_reason": stop_reason(reply),
        "stop_sequence": None,
        "usage": usage(reply),
    }


def events(
    body: dict[str, Any], reply: Reply, blocks: list[dict[str, Any]], failure: dict[str, Any] | None
) -> Iterator[Event]:
    """message_start, ping, per block start/deltas/stop, message_delta, message_stop."""
    whole = message(body, reply, blocks)
    start_usage = {**whole["usage"], "output_tokens": 1}
    yield "message_start", {"message": {**whole, "content": [], "stop_reason": None, "usage": start_usage}}
    if not blocks:
        yield "ping", {}
    for index, block in enumerate(blocks):
        block_events = list(_BLOCK_EVENTS[block["type"]](block, index, reply.chunks))
        if index == 0:  # the API pings right after the first content_block_start
            block_events.insert(1, ("ping", {}))
        yield from block_events
    if failure is not None:
        yield "error", {"error": failure}
        return
    delta = {"stop_reason": whole["stop_reason"], "stop_sequence": None}
    final_usage = {k: v for k, v in whole["usage"].items() if k not in ("cache_creation", "service_tier")}
    yield "message_delta", {"delta": delta, "usage": final_usage}
    yield "message_stop", {}


def _thinking_events(block: dict[str, Any], index: int, chunks: int) -> Iterator[Event]:
    yield (
        "content_block_start",
        {"index": index, "content_block": {"type": "thinking", "thinking": "", "signature": ""}},
    )
    for piece in split(block["thinking"], chunks) if block["thinking"] else []:
        yield "content_block_delta", {"index": index, "delta": {"type": "thinking_delta", "thinking": piece}}
    yield (
        "content_block_delta",
        {"index": index, "delta": {"type": "signature_delta", "signature": block["signature"]}},
    )
    yield "content_block_stop", {"index": index}


def _text_events(block: dict[str, Any], index: int, chunks: int) -> Iterator[Event]:
    yield "content_block_start", {"index": index, "content_block": {"type": "text", "text": ""}}
    for piece in split(block["text"], chunks) if block["text"] else []:
        yield "content_block_delta", {"index": index, "delta": {"type": "text_delta", "text": piece}}
    yield "content_block_stop", {"index": index}


def _tool_events(block: dict[str, Any], index: int, chunks: int) -> Iterator[Event]:
    opening = {**block, "input": {}}
    yield "content_block_start", {"index": index, "content_block": opening}
    # The API's first input_json_delta is often empty; clients must cope with it.
    pieces = ["", *split(orjson.dumps(block["input"]).decode(), chunks)]
    for piece in pieces:
        yield (
            "content_block_delta",
            {"index": index, "delta": {"type": "input_json_delta", "partial_json": piece}},
        )
    yield "content_block_stop", {"index": index}


_BLOCK_EVENTS: dict[str, Callable[[dict[str, Any], int, int], Iterator[Event]]] = {
    "thinking": _thinking_events,
    "text": _text_events,
    "tool_use": _tool_events,
}

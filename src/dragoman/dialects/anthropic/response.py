"""Anthropic Messages answers: an upstream's `Message` body -> `ir.Response`, and an
`ir.Response` -> the `Message` body a client receives.

Blocks of Anthropic's server tools (server_tool_use, web_search_tool_result, ...) have
no IR part and are skipped; citations on text are dropped.
"""

from __future__ import annotations

import logging
from typing import Any

import orjson

from dragoman.dialects.anthropic.usage import parse_stop_reason, parse_usage, render_stop_reason, render_usage
from dragoman.dialects.ids import client_call_id, client_response_id
from dragoman.ir.errors import UpstreamError
from dragoman.ir.messages import Part, Text, Thinking, ToolCall
from dragoman.ir.reasoning import wrap_signature
from dragoman.ir.request import Request
from dragoman.ir.response import Response

log = logging.getLogger("dragoman.dialects")


def parse(body: Any, *, origin: str) -> Response:
    """The response an upstream's non-streamed answer describes."""
    if not isinstance(body, dict) or not isinstance(body.get("content"), list):
        raise UpstreamError("the upstream's answer is not an Anthropic message")
    parts = [part for part in (parse_block(block, origin) for block in body["content"]) if part is not None]
    usage = body.get("usage")
    stop_sequence = body.get("stop_sequence")
    return Response(
        id=str(body.get("id") or ""),
        model=str(body.get("model") or ""),
        parts=parts,
        # As a stream without one ends (`ir.response.replay`'s Stop).
        stop_reason=parse_stop_reason(body.get("stop_reason")) or "end_turn",
        stop_sequence=stop_sequence if isinstance(stop_sequence, str) else None,
        usage=parse_usage(usage) if isinstance(usage, dict) else parse_usage({}),
    )


def parse_block(block: Any, origin: str) -> Part | None:
    """The IR part of a whole content block from an upstream, or None for one it has none."""
    kind = block.get("type") if isinstance(block, dict) else None
    if kind == "text":
        return Text(str(block.get("text") or ""))
    if kind == "tool_use":
        return ToolCall(
            id=str(block.get("id") or ""), name=str(block.get("name") or ""), arguments=_json(block)
        )
    if kind == "thinking":
        signature = block.get("signature") or None
        return Thinking(text=str(block.get("thinking") or ""), signature=signature, origin=origin)
    if kind == "redacted_thinking":
        return Thinking(signature=str(block.get("data") or ""), redacted=True, origin=origin)
    log.debug("anthropic: skipped a %s block from the upstream", kind)
    return None


def render(response: Response, request: Request) -> dict[str, Any]:
    """The `Message` body a client receives."""
    parts = _without_trailing_thinking(response.parts)
    content = [block for block in map(render_block, parts) if block is not None]
    return {
        "id": client_response_id(response.id, "anthropic"),
        "type": "message",
        "role": "assistant",
        "model": response.model or request.model,
        "content": content,
        "stop_reason": render_stop_reason(response.stop_reason, has_tool_calls=bool(response.tool_calls())),
        "stop_sequence": response.stop_sequence,
        "usage": render_usage(response.usage),
    }


def _without_trailing_thinking(parts: list[Part]) -> list[Part]:
    """An Anthropic message never ends with thinking (Claude Code prints the last block):
    thinking after the text or tool calls, a Gemini signature on the last text, is left out."""
    end = len(parts)
    if any(not isinstance(part, Thinking) for part in parts):
        while isinstance(parts[end - 1], Thinking):
            end -= 1
    return parts[:end]


def render_block(part: Part) -> dict[str, Any] | None:
    """A whole content block for a client, or None for a part Anthropic has no block for."""
    if isinstance(part, Text):
        return {"type": "text", "text": part.text}
    if isinstance(part, ToolCall):
        return {
            "type": "tool_use",
            "id": client_call_id(part.id, "anthropic"),
            "name": part.name,
            "input": part.arguments_object(),
        }
    if isinstance(part, Thinking):
        signature = wrap_signature(part) or ""
        if part.redacted:
            return {"type": "redacted_thinking", "data": signature}
        return {"type": "thinking", "thinking": part.text, "signature": signature}
    log.warning("anthropic: dropped a %s part an assistant message cannot carry", part.kind)
    return None


def _json(block: dict[str, Any]) -> str:
    value = block.get("input")
    return orjson.dumps(value if value is not None else {}).decode()

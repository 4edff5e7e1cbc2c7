"""Anthropic Messages streams: an upstream's SSE events -> IR events (`Parser`), and IR
events -> the SSE stream a client receives (`Renderer`, in `stream_render`).

An upstream stream is `message_start`, then per content block `content_block_start`,
`content_block_delta`s and `content_block_stop`, then `message_delta` (stop reason,
cumulative usage) and `message_stop`; `ping` and unknown events may come anywhere, and
`error` ends it. Blocks of server tools are skipped, so IR indexes are renumbered to
stay positions in the final message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from dragoman import sse
from dragoman.dialects.anthropic import error
from dragoman.dialects.anthropic.response import parse_block
from dragoman.dialects.anthropic.stream_render import Renderer
from dragoman.dialects.anthropic.usage import parse_stop_reason, parse_usage
from dragoman.ir.errors import UpstreamError
from dragoman.ir.events import (
    Event,
    PartDelta,
    PartStart,
    PartStop,
    Start,
    Stop,
    StopReason,
    StreamError,
    UsageUpdate,
)
from dragoman.ir.messages import Part, Text, Thinking, ToolCall

__all__ = ["Parser", "Renderer"]

# The delta field carrying content, per delta type; citations_delta is not kept.
_DELTA_TEXT: dict[str, str] = {
    "text_delta": "text",
    "input_json_delta": "partial_json",
    "thinking_delta": "thinking",
}


class Parser:
    """Turns an Anthropic upstream's SSE events into IR events, one event at a time."""

    def __init__(self, origin: str) -> None:
        self._origin = origin
        self._usage: dict[str, Any] = {}
        self._indexes: dict[int, int] = {}  # wire block index -> IR part index
        self._parts: dict[int, Part] = {}
        self._arguments: set[int] = set()  # tool calls that received argument text
        self._stop: StopReason | None = None
        self._stop_sequence: str | None = None
        self._done = False

    def feed(self, event: sse.Event) -> list[Event]:
        if self._done or not event.data:
            return []
        try:
            payload = orjson.loads(event.data)
        except orjson.JSONDecodeError:
            return self._fail(UpstreamError("the upstream sent an event that is not JSON"))
        if not isinstance(payload, dict):
            return []
        handler = _HANDLERS.get(payload.get("type") or event.event or "")
        return handler(self, payload) if handler is not None else []

    def close(self) -> list[Event]:
        """End of the upstream's bytes: a stream cut before `message_stop` is an error."""
        if self._done:
            return []
        return self._fail(UpstreamError("the upstream stream ended before the message was complete"))

    def _fail(self, failure: UpstreamError) -> list[Event]:
        self._done = True
        return [StreamError(failure)]

    def _message_start(self, payload: dict[str, Any]) -> list[Event]:
        message = _object(payload, "message")
        events: list[Event] = [Start(id=str(message.get("id") or ""), model=str(message.get("model") or ""))]
        return events + self._usage_update(message.get("usage"))

    def _block_start(self, payload: dict[str, Any]) -> list[Event]:
        block = payload.get("content_block")
        part = parse_block(block, self._origin)
        wire = payload.get("index")
        if part is None or not isinstance(wire, int):
            return []
        index = self._indexes[wire] = len(self._indexes)
        self._parts[index] = part
        events = _initial_deltas(index, part)
        if isinstance(part, ToolCall) and part.arguments != "{}":
            events.append(PartDelta(index, text=part.arguments))
            self._arguments.add(index)
        return [PartStart(index, _identity(part)), *events]

    def _block_delta(self, payload: dict[str, Any]) -> list[Event]:
        index = self._indexes.get(payload.get("index"))  # type: ignore[arg-type]
        delta = payload.get("delta")
        if index is None or not isinstance(delta, dict):
            return []
        kind = delta.get("type")
        if kind == "signature_delta":
            signature = delta.get("signature")
            return [PartDelta(index, signature=signature)] if isinstance(signature, str) and signature else []
        text = delta.get(_DELTA_TEXT.get(kind, ""))  # type: ignore[arg-type]
        if not isinstance(text, str) or not text:
            return []
        if kind == "input_json_delta":
            self._arguments.add(index)
        return [PartDelta(index, text=text)]

    def _block_stop(self, payload: dict[str, Any]) -> list[Event]:
        index = self._indexes.get(payload.get("index"))  # type: ignore[arg-type]
        if index is None:
            return []
        events: list[Event] = []
        if isinstance(self._parts[index], ToolCall) and index not in self._arguments:
            # A call without arguments streams none; "{}" is what every dialect can read.
            events.append(PartDelta(index, text="{}"))
        return [*events, PartStop(index)]

    def _message_delta(self, payload: dict[str, Any]) -> list[Event]:
        delta = _object(payload, "delta")
        self._stop = parse_stop_reason(delta.get("stop_reason")) or self._stop
        sequence = delta.get("stop_sequence")
        self._stop_sequence = sequence if isinstance(sequence, str) else self._stop_sequence
        return self._usage_update(payload.get("usage"))

    def _message_stop(self, payload: dict[str, Any]) -> list[Event]:
        self._done = True
        calls = any(isinstance(part, ToolCall) for part in self._parts.values())
        reason = self._stop or ("tool_use" if calls else "end_turn")
        return [Stop(reason=reason, stop_sequence=self._stop_sequence)]

    def _error(self, payload: dict[str, Any]) -> list[Event]:
        self._done = True
        return [StreamError(error.parse_event(payload))]

    def _usage_update(self, usage: Any) -> list[Event]:
        # Counts are cumulative, and a message_delta omits those that did not change.
        if not isinstance(usage, dict):
            return []
        self._usage.update((key, value) for key, value in usage.items() if value is not None)
        return [UsageUpdate(parse_usage(self._usage))]


def _object(payload: dict[str, Any], key: str) -> dict[str, Any]:
    value = payload.get(key)
    return value if isinstance(value, dict) else {}


def _identity(part: Part) -> Part:
    """The part as a PartStart carries it: identity only (redacted thinking arrives whole)."""
    if isinstance(part, Text):
        return Text("")
    if isinstance(part, ToolCall):
        return ToolCall(id=part.id, name=part.name)
    if isinstance(part, Thinking) and not part.redacted:
        return Thinking(origin=part.origin)
    return part


def _initial_deltas(index: int, part: Part) -> list[Event]:
    """Content a content_block_start already carried (Anthropic sends none, proxies may)."""
    if isinstance(part, Text) and part.text:
        return [PartDelta(index, text=part.text)]
    if isinstance(part, Thinking) and not part.redacted:
        events: list[Event] = [PartDelta(index, text=part.text)] if part.text else []
        return events + ([PartDelta(index, signature=part.signature)] if part.signature else [])
    return []


_HANDLERS: dict[str, Callable[[Parser, dict[str, Any]], list[Event]]] = {
    "message_start": Parser._message_start,
    "content_block_start": Parser._block_start,
    "content_block_delta": Parser._block_delta,
    "content_block_stop": Parser._block_stop,
    "message_delta": Parser._message_delta,
    "message_stop": Parser._message_stop,
    "error": Parser._error,
}

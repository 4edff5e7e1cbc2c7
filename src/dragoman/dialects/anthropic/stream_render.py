"""The Anthropic SSE stream a client receives, drawn from IR events.

Order on the wire, whatever order the IR events come in:

    message_start   (usage known so far; output_tokens 0)
    ping
    per block: content_block_start, content_block_delta..., content_block_stop
    message_delta   (stop_reason, stop_sequence, the full cumulative usage)
    message_stop

`message_start` waits for the first part (or the end) so that it can carry the input
usage an upstream reports at its start. Blocks go out one at a time: a part that starts
while another is open (parallel tool calls) is held back, with its deltas, until the
open one stops. A thinking block's signature goes out as one `signature_delta` just
before its stop, wrapped with its origin (`ir.reasoning.wrap_signature`). A
`StreamError` becomes `event: error` and ends the stream.

An Anthropic message never ends with a thinking block, and Claude Code prints the last
block as its answer. A thinking part that starts after text or a tool call (Gemini signs
the last text part of an answer, which the IR models as a signature-only Thinking after
it) is held until another part follows it, and dropped if none does.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import orjson

from dragoman import sse
from dragoman.dialects.anthropic import error as errors
from dragoman.dialects.anthropic.response import render_block
from dragoman.dialects.anthropic.usage import render_stop_reason, render_usage
from dragoman.dialects.frames import MARK, around_mark
from dragoman.dialects.ids import client_call_id, client_response_id
from dragoman.ir.events import (
    Event,
    PartDelta,
    PartStart,
    PartStop,
    Start,
    Stop,
    StreamError,
    UsageUpdate,
)
from dragoman.ir.messages import Part, Text, Thinking, ToolCall
from dragoman.ir.reasoning import wrap_signature
from dragoman.ir.request import Request
from dragoman.ir.usage import Usage

_STREAMED = (Text, Thinking, ToolCall)  # parts an Anthropic message can carry
# A tuple, not a union: `isinstance` takes it faster, on every event of a stream.
_PART_EVENTS = (PartDelta, PartStart, PartStop)


def _event(name: str, payload: dict[str, Any]) -> bytes:
    return sse.encode(orjson.dumps({"type": name, **payload}), name)


def _delta_frame(wire: int, part: Part) -> tuple[bytes, bytes]:
    """A block's `content_block_delta` event around its text: drawn once per block, as
    most of a stream's events are these."""
    if isinstance(part, Thinking):
        delta = {"type": "thinking_delta", "thinking": MARK}
    elif isinstance(part, ToolCall):
        delta = {"type": "input_json_delta", "partial_json": MARK}
    else:
        delta = {"type": "text_delta", "text": MARK}
    return around_mark(_event("content_block_delta", {"index": wire, "delta": delta}))


class Renderer:
    """Draws IR events as an Anthropic stream; `render` returns the bytes to send (maybe b"")."""

    def __init__(self, request: Request) -> None:
        self._id = ""
        self._model = request.model
        self._usage = Usage()
        self._seen_start = False
        self._started = False
        self._ended = False
        self._open: int | None = None  # IR index of the block open on the wire
        self._held: dict[int, list[PartStart | PartDelta | PartStop]] = {}
        self._parts: dict[int, Part] = {}
        self._signatures: dict[int, str] = {}
        self._wire: dict[int, int] = {}  # IR index -> wire index
        self._frames: dict[int, tuple[bytes, bytes]] = {}  # IR index -> its deltas' frame
        self._skipped: set[int] = set()
        self._trailing: list[PartStart | PartDelta | PartStop] = []  # thinking held at the tail
        self._tail: set[int] = set()  # the IR indexes of that thinking
        self._tool_calls = False

    def render(self, event: Event) -> bytes:
        # A message is one answer: any other choice an upstream sent is not drawn.
        if self._ended or getattr(event, "choice", None):  # `choice_of`, inline: every event
            return b""
        if isinstance(event, _PART_EVENTS):  # most of a stream
            return self._part_event(event)
        if isinstance(event, Start):
            self._seen_start = True
            self._id, self._model = event.id, event.model or self._model
            return b""
        if isinstance(event, UsageUpdate):
            self._usage = self._usage.merge(event.usage)
            return b""
        if isinstance(event, Stop):
            return self._finish(event)
        return self._fail(event)

    @property
    def usage(self) -> Usage:
        """The usage drawn so far (the whole answer's, once it ended)."""
        return self._usage

    def keepalive(self) -> bytes:
        if self._ended:
            return b""
        if self._started:
            return _event("ping", {})
        if self._seen_start:
            return self._begin()
        return sse.comment("ping")  # nothing to say yet: an SSE comment every client skips

    def _begin(self) -> bytes:
        if self._started:
            return b""
        self._started = True
        usage = render_usage(replace(self._usage, output_tokens=0, reasoning_tokens=0))
        message: dict[str, Any] = {
            "id": client_response_id(self._id, "anthropic"),
            "type": "message",
            "role": "assistant",
            "model": self._model,
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": usage,
        }
        return _event("message_start", {"message": message}) + _event("ping", {})

    def _part_event(self, event: PartStart | PartDelta | PartStop) -> bytes:
        if event.index in self._skipped:
            return b""
        if event.index in self._tail:
            self._trailing.append(event)
            return b""
        if isinstance(event, PartStart):
            if not isinstance(event.part, _STREAMED):
                self._skipped.add(event.index)
                return b""
            out = self._begin()
            if self._trails(event.part):
                self._tail.add(event.index)
                self._trailing.append(event)
                return out
            out += self._follow_trailing()
            if self._open is not None:
                self._held[event.index] = [event]
                return out
            return out + self._open_block(event)
        if event.index in self._held:
            self._held[event.index].append(event)
            return b""
        if event.index != self._open:
            return b""  # a delta or stop for a part that never started
        if isinstance(event, PartDelta):
            return self._delta(event)
        return self._close_block(event.index) + self._release()

    def _open_block(self, event: PartStart) -> bytes:
        index, part = event.index, event.part
        self._open, self._parts[index] = index, part
        self._wire[index] = wire = len(self._wire)
        self._tool_calls = self._tool_calls or isinstance(part, ToolCall)
        if isinstance(part, Thinking) and not part.redacted:
            self._signatures[index] = part.signature or ""
            block: dict[str, Any] = {"type": "thinking", "thinking": "", "signature": ""}
        elif isinstance(part, ToolCall):
            call_id = client_call_id(part.id, "anthropic")
            block = {"type": "tool_use", "id": call_id, "name": part.name, "input": {}}
        elif isinstance(part, Text):
            block = {"type": "text", "text": ""}
        else:
            block = render_block(part) or {}
        out = _event("content_block_start", {"index": wire, "content_block": block})
        carried = ""
        if isinstance(part, ToolCall):
            carried = part.arguments
        elif isinstance(part, Text) or (isinstance(part, Thinking) and not part.redacted):
            carried = part.text
        if carried:
            out += self._delta(PartDelta(index, text=carried))  # content a PartStart carried anyway
        return out

    def _delta(self, event: PartDelta) -> bytes:
        part = self._parts[event.index]
        if isinstance(part, Thinking) and event.signature:
            self._signatures[event.index] = self._signatures.get(event.index, "") + event.signature
        if not event.text:
            return b""
        frame = self._frames.get(event.index)
        if frame is None:
            frame = self._frames[event.index] = _delta_frame(self._wire[event.index], part)
        return frame[0] + orjson.dumps(event.text) + frame[1]

    def _close_block(self, index: int) -> bytes:
        part, wire, out = self._parts[index], self._wire[index], b""
        signature = self._signatures.pop(index, "")
        if isinstance(part, Thinking) and signature:
            delta = {
                "type": "signature_delta",
                "signature": wrap_signature(replace(part, signature=signature)),
            }
            out += _event("content_block_delta", {"index": wire, "delta": delta})
        self._open = None
        return out + _event("content_block_stop", {"index": wire})

    def _release(self) -> bytes:
        """Send held parts in order until one of them is still open."""
        out = b""
        while self._held and self._open is None:
            out += self._replay(self._held.pop(next(iter(self._held))))
        return out

    def _replay(self, events: list[PartStart | PartDelta | PartStop]) -> bytes:
        out = b""
        for event in events:
            if isinstance(event, PartStart):
                out += self._open_block(event)
            elif isinstance(event, PartDelta):
                out += self._delta(event)
            else:
                out += self._close_block(event.index)
        return out

    def _trails(self, part: Part) -> bool:
        """Whether `part` is a thinking that follows what the message already said."""
        if not isinstance(part, Thinking) or self._open is not None:
            return False
        if self._trailing and not isinstance(self._trailing[-1], PartStop):
            return False  # the thinking held before it is still growing
        return any(not isinstance(said, Thinking) for said in self._parts.values())

    def _follow_trailing(self) -> bytes:
        """A part follows the held thinking: that goes out first, where it belongs."""
        held, self._trailing, self._tail = self._trailing, [], set()
        return self._replay(held)

    def _close_all(self) -> bytes:
        out = b""
        while self._open is not None:
            out += self._close_block(self._open) + self._release()
        return out

    def _finish(self, event: Stop) -> bytes:
        out = self._begin() + self._close_all()
        self._ended = True
        reason = render_stop_reason(event.reason, has_tool_calls=self._tool_calls)
        delta = {"stop_reason": reason, "stop_sequence": event.stop_sequence}
        out += _event("message_delta", {"delta": delta, "usage": render_usage(self._usage)})
        return out + _event("message_stop", {})

    def _fail(self, event: StreamError) -> bytes:
        self._ended = True
        _, body = errors.render(event.error)
        return sse.encode(orjson.dumps(body), "error")

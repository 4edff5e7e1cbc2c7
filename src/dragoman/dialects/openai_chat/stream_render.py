"""The Chat Completions stream a client receives, drawn from IR events.

A role chunk, content / reasoning / tool call deltas, the finish chunk, the usage
chunk (`choices: []`, only when the client asked with `include_usage`), `[DONE]`.
Every chunk has the same id (in Chat's form, `dialects.ids`), created and model (the
name the client asked for). A client that asked for `n` choices gets each in chunks of
its own `index`, each with its own role chunk and finish chunk.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from dragoman import sse
from dragoman.dialects.frames import MARK, around_mark
from dragoman.dialects.ids import client_call_id, client_response_id
from dragoman.dialects.openai_chat import wire
from dragoman.dialects.openai_chat.call_order import CallOrder
from dragoman.dialects.openai_chat.error import render as render_error
from dragoman.dialects.openai_chat.response import finish_reason, render_usage
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
from dragoman.ir.ids import new_id
from dragoman.ir.messages import Text, Thinking, ToolCall
from dragoman.ir.request import Request
from dragoman.ir.usage import Usage

logger = logging.getLogger("dragoman.dialects")

_DONE = sse.encode(b"[DONE]")


@dataclass(slots=True)
class _Choice:
    """What one choice of the answer has drawn so far."""

    index: int
    started: bool = False
    finished: bool = False
    # What each IR part index is drawn as: "text", "thinking", "tool" or "skip".
    kinds: dict[int, str] = field(default_factory=dict)
    # IR index of a tool call -> its `index` among this message's tool calls.
    slots: dict[int, int] = field(default_factory=dict)
    has_arguments: set[int] = field(default_factory=set)
    call_order: CallOrder = field(default_factory=CallOrder)


class Renderer:
    """Draws IR events as the chunks OpenAI itself sends, in its order."""

    def __init__(self, request: Request) -> None:
        self._request = request
        self._id = new_id("chatcmpl-")
        self._created = int(time.time())
        self._closed = False
        self._choices = [_Choice(number) for number in range(max(1, request.choices))]
        self._usage = Usage()
        # `{"id": ..., "model": ..., "choices":` as bytes, once the id is known.
        self._head = b""
        # A text delta's chunk around its text, by (choice, delta field), once the id is known.
        self._frames: dict[tuple[int, str], tuple[bytes, bytes]] = {}

    @property
    def usage(self) -> Usage:
        """The usage drawn so far (the whole answer's, once it ended)."""
        return self._usage

    def keepalive(self) -> bytes:
        return sse.comment("keep-alive")

    def render(self, event: Event) -> bytes:
        if self._closed:
            return b""
        return _HANDLERS[event.kind](self, event)

    def _start(self, event: Start) -> bytes:
        # Chat's own form (`chatcmpl-`), whatever the upstream called its answer.
        self._id = client_response_id(event.id, "openai_chat")
        self._head, self._frames = b"", {}
        return self._role_chunk(self._choices[0])

    def _choice(self, number: int) -> _Choice | None:
        """The state of a choice the client asked for (others are not drawn)."""
        return self._choices[number] if number < len(self._choices) else None

    def _role_chunk(self, choice: _Choice) -> bytes:
        if choice.started:
            return b""
        choice.started = True
        return self._chunk(choice, {"role": "assistant", "content": ""})

    def _part_start(self, event: PartStart) -> bytes:
        choice = self._choice(event.choice)
        if choice is None:
            return b""
        part = event.part
        if isinstance(part, ToolCall):
            choice.kinds[event.index] = "tool"
            slot = choice.slots[event.index] = len(choice.slots)
            call: wire.DeltaToolCall = {
                "index": slot,
                "id": client_call_id(part.id, "openai_chat"),
                "type": "function",
                "function": {"name": part.name, "arguments": ""},
            }
            first = self._chunk(choice, {"tool_calls": [call]})
            return self._role_chunk(choice) + choice.call_order.start(event.index, first)
        if isinstance(part, Text):
            choice.kinds[event.index] = "text"
        elif isinstance(part, Thinking) and not part.redacted:
            choice.kinds[event.index] = "thinking"
        else:
            # Chat has no place for images or redacted reasoning in an answer.
            logger.warning("openai_chat: dropped a %s part the Chat stream cannot carry", part.kind)
            choice.kinds[event.index] = "skip"
        return self._role_chunk(choice)

    def _part_delta(self, event: PartDelta) -> bytes:
        choice = self._choice(event.choice)
        kind = choice.kinds.get(event.index, "skip") if choice is not None else "skip"
        if choice is None or not event.text or kind == "skip":
            return b""
        if kind == "tool":
            choice.has_arguments.add(event.index)
            return choice.call_order.add(event.index, self._arguments(choice, event.index, event.text))
        delta_field = "content" if kind == "text" else "reasoning_content"
        return self._role_chunk(choice) + self._text_chunk(choice, delta_field, event.text)

    def _text_chunk(self, choice: _Choice, delta_field: str, text: str) -> bytes:
        """`_chunk(choice, {delta_field: text})`, from the bytes around the text drawn
        once per stream: most of a stream's chunks are these."""
        frame = self._frames.get((choice.index, delta_field))
        if frame is None:
            frame = self._frames[choice.index, delta_field] = self._text_frame(choice, delta_field)
        return frame[0] + orjson.dumps(text) + frame[1]

    def _text_frame(self, choice: _Choice, delta_field: str) -> tuple[bytes, bytes]:
        return around_mark(self._chunk(choice, {delta_field: MARK}))

    def _arguments(self, choice: _Choice, index: int, text: str) -> bytes:
        call: wire.DeltaToolCall = {"index": choice.slots[index], "function": {"arguments": text}}
        return self._chunk(choice, {"tool_calls": [call]})

    def _part_stop(self, event: PartStop) -> bytes:
        choice = self._choice(event.choice)
        if choice is None or choice.kinds.get(event.index) != "tool":
            return b""
        last = b""
        if event.index not in choice.has_arguments:
            # A call with no arguments at all: clients JSON-parse what they got.
            choice.has_arguments.add(event.index)
            last = self._arguments(choice, event.index, "{}")
        return choice.call_order.end(event.index, last)

    def _usage_update(self, event: UsageUpdate) -> bytes:
        self._usage = self._usage.merge(event.usage)
        return b""

    def _stop(self, event: Stop) -> bytes:
        choice = self._choice(event.choice)
        if choice is None:
            return b""
        out = self._finish(choice, event.reason)
        if event.choice:
            return out  # the first choice's Stop ends the stream
        self._closed = True
        for other in self._choices[1:]:
            out += self._finish(other, "end_turn")
        if self._request.include_usage:
            out += self._envelope([], render_usage(self._usage))
        return out + _DONE

    def _finish(self, choice: _Choice, reason: StopReason) -> bytes:
        if choice.finished:
            return b""
        choice.finished = True
        finish = finish_reason(reason, has_tool_calls=bool(choice.slots))
        return choice.call_order.flush() + self._role_chunk(choice) + self._chunk(choice, {}, finish)

    def _error(self, event: StreamError) -> bytes:
        self._closed = True
        _, body = render_error(event.error)
        held = b"".join(choice.call_order.flush() for choice in self._choices)
        return held + sse.encode(orjson.dumps(body)) + _DONE

    def _chunk(self, choice: _Choice, delta: dict[str, Any], finish: str | None = None) -> bytes:
        drawn = {"index": choice.index, "delta": delta, "logprobs": None, "finish_reason": finish}
        return self._envelope([drawn], None)

    def _envelope(self, choices: list[dict[str, Any]], usage: wire.Usage | None) -> bytes:
        # Every chunk starts with the same fields: serialized once, then reused.
        head = self._head or self._first_head()
        body = head + orjson.dumps(choices)
        if self._request.include_usage:
            # With include_usage every chunk carries `usage`, null until the last.
            body += b',"usage":' + orjson.dumps(usage)
        return sse.encode(body + b"}")

    def _first_head(self) -> bytes:
        fields = {
            "id": self._id,
            "object": "chat.completion.chunk",
            "created": self._created,
            "model": self._request.model,
        }
        self._head = orjson.dumps(fields)[:-1] + b',"choices":'
        return self._head


_HANDLERS: dict[str, Callable[[Renderer, Any], bytes]] = {
    "start": Renderer._start,
    "part_start": Renderer._part_start,
    "part_delta": Renderer._part_delta,
    "part_stop": Renderer._part_stop,
    "usage": Renderer._usage_update,
    "stop": Renderer._stop,
    "error": Renderer._error,
}

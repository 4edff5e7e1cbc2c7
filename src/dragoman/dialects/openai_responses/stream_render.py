"""IR events -> the Responses SSE a client receives, in OpenAI's exact event order.

    response.created, response.in_progress          (snapshots, status in_progress)
    per item, by output_index:
      reasoning: output_item.added, reasoning_summary_part.added,
                 reasoning_summary_text.delta*, .done, reasoning_summary_part.done, output_item.done
      message:   output_item.added, then per text part content_part.added,
                 output_text.delta*, output_text.done, content_part.done; then output_item.done
      call:      output_item.added, function_call_arguments.delta*, .done, output_item.done
      image:     output_item.added, image_generation_call.in_progress, .generating, .completed,
                 output_item.done (an image arrives whole: `images`)
                 (custom tools: custom_tool_call_input.delta, .done)
    response.completed | response.incomplete | response.failed  (the full response)

Consecutive text parts share one message item. Every event has a `sequence_number`
counting from 0; there is no [DONE].
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from dragoman import sse
from dragoman.dialects.frames import MARK, around_mark
from dragoman.dialects.ids import client_call_id, client_response_id
from dragoman.dialects.openai_responses import images, items
from dragoman.dialects.openai_responses.response import finish, render_usage, snapshot
from dragoman.dialects.openai_responses.tools import DIALECT
from dragoman.ir.errors import GatewayError
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
from dragoman.ir.ids import new_id
from dragoman.ir.messages import Image, Text, Thinking, ToolCall
from dragoman.ir.request import Request
from dragoman.ir.usage import Usage

_TERMINAL = {
    "completed": "response.completed",
    "incomplete": "response.incomplete",
    "failed": "response.failed",
}
# status -> `response.error.code` for a stream that failed (codes the SDK and Codex know)
_FAILURE_CODES = {429: "rate_limit_exceeded", 529: "server_is_overloaded", 503: "server_is_overloaded"}


@dataclass(slots=True)
class _Message:
    output_index: int
    id: str
    texts: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Open:
    """One IR part being streamed, and where it sits in the output."""

    part: Text | Thinking | ToolCall
    output_index: int
    item_id: str
    content_index: int = 0
    summary_open: bool = False
    # Only function calls stream their arguments; custom and tool-search input goes whole.
    streams_arguments: bool = False
    # A text's pieces so far (joined once, as it ends: adding each to a string copied it whole).
    pieces: list[str] = field(default_factory=list)
    # Its `response.output_text.delta` event around the piece and the sequence number.
    frame: tuple[bytes, bytes, bytes] | None = None


class Renderer:
    """Turns one IR event stream into the client's Responses SSE bytes."""

    def __init__(
        self,
        request: Request,
        on_final: Callable[[dict[str, Any]], None] | None = None,
        response_id: str | None = None,
    ) -> None:
        """`on_final` gets the finished Response object (dragoman stores it:
        `server.responses`); `response_id` replaces the one the answer would get."""
        self.request = request
        self._on_final = on_final
        self._id = response_id
        self._sequence = 0
        self._body: dict[str, Any] | None = None
        self._output: list[dict[str, Any] | None] = []
        self._parts: dict[int, _Open] = {}
        self._message: _Message | None = None
        self._usage = Usage()
        self._done = False

    @property
    def usage(self) -> Usage:
        """The usage drawn so far (the whole answer's, once it ended)."""
        return self._usage

    def keepalive(self) -> bytes:
        return sse.comment("keepalive")

    def render(self, event: Event) -> bytes:
        # Responses answers with one choice: any other an upstream sent is not drawn.
        if self._done or getattr(event, "choice", None):  # `choice_of`, inline: every event
            return b""
        if type(event) is PartDelta and event.text:
            opened = self._parts.get(event.index)
            if opened is not None and type(opened.part) is Text:
                return self._text_delta(opened, event.text)
        out: list[dict[str, Any]] = []
        if self._body is None:
            self._start(out, event)
        if isinstance(event, PartStart):
            self._part_start(out, event)
        elif isinstance(event, PartDelta):
            self._part_delta(out, event)
        elif isinstance(event, PartStop):
            self._part_stop(out, event.index)
        elif isinstance(event, UsageUpdate):
            self._usage = self._usage.merge(event.usage)
        elif isinstance(event, Stop):
            self._stop(out, event)
        elif isinstance(event, StreamError):
            self._fail(out, event.error)
        return b"".join(self._encode(data) for data in out)

    def _text_delta(self, opened: _Open, text: str) -> bytes:
        """`response.output_text.delta`, nearly every event of an answer: drawn from the
        bytes around its text and its sequence number, kept per text part."""
        opened.pieces.append(text)
        frame = opened.frame or self._text_frame(opened)
        sequence, self._sequence = self._sequence, self._sequence + 1
        return frame[0] + orjson.dumps(text) + frame[1] + b"%d" % sequence + frame[2]

    def _text_frame(self, opened: _Open) -> tuple[bytes, bytes, bytes]:
        data = _event("response.output_text.delta", self._where(opened), delta=MARK, logprobs=[])
        data["sequence_number"] = 0
        before, after = around_mark(sse.encode(orjson.dumps(data), event=data["type"]))
        middle, _, end = after.rpartition(b"0")
        opened.frame = (before, middle, end)
        return opened.frame

    def _encode(self, data: dict[str, Any]) -> bytes:
        data["sequence_number"] = self._sequence
        self._sequence += 1
        return sse.encode(orjson.dumps(data), event=data["type"])

    # --- lifecycle ---

    def _start(self, out: list[dict[str, Any]], event: Event) -> None:
        start = event if isinstance(event, Start) else Start(id="", model="")
        response_id = self._id or client_response_id(start.id, DIALECT)
        self._body = snapshot(self.request, response_id, start.model or self.request.model, int(time.time()))
        out.append({"type": "response.created", "response": self._body})
        out.append({"type": "response.in_progress", "response": self._body})

    def _stop(self, out: list[dict[str, Any]], event: Stop) -> None:
        for index in list(self._parts):
            self._part_stop(out, index)
        self._close_message(out)
        body = self._final()
        status = finish(body, event.reason, self._usage)
        out.append({"type": _TERMINAL[status], "response": body})
        self._ended(body)

    def _fail(self, out: list[dict[str, Any]], error: GatewayError) -> None:
        body = self._final()
        body["status"] = "failed"
        body["error"] = {
            "code": _FAILURE_CODES.get(error.status, _failure_code(error)),
            "message": error.message,
        }
        body["usage"] = render_usage(self._usage)
        out.append({"type": "response.failed", "response": body})
        self._ended(body)

    def _ended(self, body: dict[str, Any]) -> None:
        self._done = True
        if self._on_final is not None:
            self._on_final(body)

    def _final(self) -> dict[str, Any]:
        body = dict(self._body or {})
        body["output"] = [item for item in self._output if item is not None]
        return body

    # --- parts ---

    def _part_start(self, out: list[dict[str, Any]], event: PartStart) -> None:
        part = event.part
        if isinstance(part, Text):
            self._open_text(out, event.index)
        elif isinstance(part, Thinking):
            self._close_message(out)
            copy = Thinking(signature=part.signature, redacted=part.redacted, id=part.id, origin=part.origin)
            opened = _Open(copy, len(self._output), part.id or new_id("rs_"))
            item = items.reasoning_item(opened.item_id, Thinking(), signature=None, status="in_progress")
            self._open_item(out, event.index, opened, item)
        elif isinstance(part, ToolCall):
            self._close_message(out)
            call = ToolCall(id=client_call_id(part.id, DIALECT), name=part.name)
            opened = _Open(call, len(self._output), items.call_item_id(call, self.request))
            item = items.call_item(opened.item_id, call, self.request, status="in_progress")
            opened.streams_arguments = item["type"] == "function_call"
            self._open_item(out, event.index, opened, item)
        elif isinstance(part, Image) and images.drawn(part):
            self._close_message(out)
            item_id, output_index = new_id("ig_"), len(self._output)
            self._output.append(images.image_item(item_id, part))
            out.extend(images.image_events(item_id, output_index, part))
        # Documents, and images by URL, have no place in a Responses output.

    def _open_item(self, out: list[dict[str, Any]], index: int, opened: _Open, item: dict[str, Any]) -> None:
        self._parts[index] = opened
        self._output.append(None)
        out.append({"type": "response.output_item.added", "output_index": opened.output_index, "item": item})

    def _open_text(self, out: list[dict[str, Any]], index: int) -> None:
        message = self._message
        if message is None:
            message = self._message = _Message(len(self._output), new_id("msg_"))
            self._output.append(None)
            item = items.message_item(message.id, [], status="in_progress")
            out.append(
                {"type": "response.output_item.added", "output_index": message.output_index, "item": item}
            )
        opened = _Open(Text(""), message.output_index, message.id, content_index=len(message.texts))
        message.texts.append("")
        self._parts[index] = opened
        out.append(_event("response.content_part.added", self._where(opened), part=items.output_text("")))

    def _part_delta(self, out: list[dict[str, Any]], event: PartDelta) -> None:
        opened = self._parts.get(event.index)
        if opened is None:
            return
        part = opened.part
        if isinstance(part, Thinking):
            self._thinking_delta(out, opened, part, event)
        elif event.text and isinstance(part, ToolCall):  # a text's pieces: `_text_delta`
            part.arguments += event.text
            if opened.streams_arguments:
                where = {"item_id": opened.item_id, "output_index": opened.output_index}
                out.append(_event("response.function_call_arguments.delta", where, delta=event.text))

    def _thinking_delta(
        self, out: list[dict[str, Any]], opened: _Open, part: Thinking, event: PartDelta
    ) -> None:
        if event.signature is not None:
            part.signature = (part.signature or "") + event.signature
        if not event.text:
            return
        where = {"item_id": opened.item_id, "output_index": opened.output_index, "summary_index": 0}
        if not opened.summary_open:
            opened.summary_open = True
            out.append(
                _event(
                    "response.reasoning_summary_part.added", where, part={"type": "summary_text", "text": ""}
                )
            )
        part.text += event.text
        out.append(_event("response.reasoning_summary_text.delta", where, delta=event.text))

    def _part_stop(self, out: list[dict[str, Any]], index: int) -> None:
        opened = self._parts.pop(index, None)
        if opened is None:
            return
        part = opened.part
        if isinstance(part, Text):
            part.text += "".join(opened.pieces)
            if self._message is not None:  # always: a text part lives in the open message
                self._message.texts[opened.content_index] = part.text
            where = self._where(opened)
            out.append(_event("response.output_text.done", where, text=part.text, logprobs=[]))
            out.append(_event("response.content_part.done", where, part=items.output_text(part.text)))
            return
        if isinstance(part, Thinking):
            item = self._thinking_done(out, opened, part)
        else:
            item = self._call_done(out, opened, part)
        self._output[opened.output_index] = item
        out.append({"type": "response.output_item.done", "output_index": opened.output_index, "item": item})

    def _thinking_done(self, out: list[dict[str, Any]], opened: _Open, part: Thinking) -> dict[str, Any]:
        if opened.summary_open:
            where = {"item_id": opened.item_id, "output_index": opened.output_index, "summary_index": 0}
            out.append(_event("response.reasoning_summary_text.done", where, text=part.text))
            out.append(
                _event(
                    "response.reasoning_summary_part.done",
                    where,
                    part={"type": "summary_text", "text": part.text},
                )
            )
        return items.reasoning_item(opened.item_id, part, signature=items.client_signature(part))

    def _call_done(self, out: list[dict[str, Any]], opened: _Open, part: ToolCall) -> dict[str, Any]:
        item = items.call_item(opened.item_id, part, self.request)
        where = {"item_id": opened.item_id, "output_index": opened.output_index}
        if item["type"] == "custom_tool_call":
            if item["input"]:
                out.append(_event("response.custom_tool_call_input.delta", where, delta=item["input"]))
            out.append(_event("response.custom_tool_call_input.done", where, input=item["input"]))
        elif item["type"] == "function_call":
            out.append(
                _event(
                    "response.function_call_arguments.done",
                    where,
                    name=item["name"],
                    arguments=part.arguments,
                )
            )
        return item

    def _close_message(self, out: list[dict[str, Any]]) -> None:
        message = self._message
        if message is None:
            return
        for index in [i for i, o in self._parts.items() if isinstance(o.part, Text)]:
            self._part_stop(out, index)
        self._message = None
        item = items.message_item(message.id, message.texts)
        self._output[message.output_index] = item
        out.append({"type": "response.output_item.done", "output_index": message.output_index, "item": item})

    @staticmethod
    def _where(opened: _Open) -> dict[str, Any]:
        return {
            "item_id": opened.item_id,
            "output_index": opened.output_index,
            "content_index": opened.content_index,
        }


def _event(kind: str, where: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"type": kind, **where, **fields}


def _failure_code(error: GatewayError) -> str:
    if error.status == 400:
        return "invalid_prompt"
    return "server_error" if error.status >= 500 else error.code

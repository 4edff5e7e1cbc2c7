"""Chat Completions streams: upstream chunks -> IR events (`Parser`), and IR events ->
the chunks a Chat client receives (`Renderer`).

A Chat stream is `data: {chunk}` events ending in `data: [DONE]`. Chunks carry deltas
with no part boundaries: text, reasoning text and tool call fragments (keyed by
`index`, possibly interleaved) may arrive in any order. The parser gives each its own
IR part in order of first appearance, ends a text or reasoning part when the other
kind begins, and holds `Stop` until `[DONE]` so the usage chunk that follows the
finish chunk comes before it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import orjson

from dragoman import sse
from dragoman.dialects.ids import client_call_id, client_response_id
from dragoman.dialects.openai_chat import wire
from dragoman.dialects.openai_chat.call_order import CallOrder
from dragoman.dialects.openai_chat.error import from_payload
from dragoman.dialects.openai_chat.error import render as render_error
from dragoman.dialects.openai_chat.response import (
    finish_reason,
    parse_usage,
    reasoning_text,
    render_usage,
    stop_reason,
)
from dragoman.ir.errors import GatewayError, UpstreamError
from dragoman.ir.events import Event, PartDelta, PartStart, PartStop, Start, Stop, StreamError, UsageUpdate
from dragoman.ir.ids import new_id
from dragoman.ir.messages import Text, Thinking, ToolCall
from dragoman.ir.request import Request
from dragoman.ir.usage import Usage

logger = logging.getLogger("dragoman.dialects")

_DONE = sse.encode(b"[DONE]")


class Parser:
    """Folds an upstream's Chat chunks into IR events, one SSE event at a time."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self._started = False
        self._done = False
        self._finish: str | None = None
        self._refusal = False
        self._next_index = 0
        # The text or reasoning part receiving deltas: (kind, IR index).
        self._flow: tuple[str, int] | None = None
        # Tool calls by their key in the chunks (`index`), and which are still open.
        self._calls: dict[object, int] = {}
        self._open_calls: list[int] = []
        self._call_ids: dict[str, object] = {}
        self._last_call: object = None

    def feed(self, event: sse.Event) -> list[Event]:
        if self._done:
            return []
        data = event.data.strip()
        if data == "[DONE]":
            return self._end()
        if not data:
            return []
        try:
            chunk = orjson.loads(data)
        except orjson.JSONDecodeError:
            return self._fail(UpstreamError("the upstream sent a stream chunk that is not JSON"))
        if not isinstance(chunk, dict):
            return self._fail(UpstreamError("the upstream sent a stream chunk that is not an object"))
        if chunk.get("error") is not None:
            return self._fail(from_payload(chunk["error"]))
        if event.event == "error":
            # A few servers name the event instead of wrapping the body in "error".
            return self._fail(from_payload(chunk))
        return self._chunk(chunk)

    def close(self) -> list[Event]:
        """Events at the end of the upstream's bytes: a finished turn without `[DONE]` is fine."""
        if self._done:
            return []
        if self._finish is not None:
            return self._end()
        return self._fail(UpstreamError("the upstream stream ended before the response was finished"))

    def _chunk(self, chunk: dict[str, Any]) -> list[Event]:
        out: list[Event] = []
        if not self._started:
            out.append(self._start(chunk))
        choices = chunk.get("choices")
        for choice in choices if isinstance(choices, list) else []:
            # Only the first choice is followed (n > 1 has no IR).
            if isinstance(choice, dict) and choice.get("index", 0) == 0:
                self._choice(choice, out)
        usage = parse_usage(chunk.get("usage"))
        if usage is not None:
            out.append(UsageUpdate(usage))
        return out

    def _start(self, chunk: dict[str, Any]) -> Start:
        self._started = True
        chunk_id, model = chunk.get("id"), chunk.get("model")
        return Start(
            id=chunk_id if isinstance(chunk_id, str) else "",
            model=model if isinstance(model, str) else "",
        )

    def _choice(self, choice: dict[str, Any], out: list[Event]) -> None:
        delta = choice.get("delta")
        if isinstance(delta, dict):
            self._delta(delta, out)
        finish = choice.get("finish_reason")
        if isinstance(finish, str):
            self._finish = finish
            self._stop_parts(out)

    def _delta(self, delta: dict[str, Any], out: list[Event]) -> None:
        self._flow_text("thinking", reasoning_text(delta), out)
        content = delta.get("content")
        if isinstance(content, str):
            self._flow_text("text", content, out)
        refusal = delta.get("refusal")
        if isinstance(refusal, str) and refusal:
            self._refusal = True
            self._flow_text("text", refusal, out)
        calls = delta.get("tool_calls")
        for fragment in calls if isinstance(calls, list) else []:
            if isinstance(fragment, dict):
                self._call_fragment(self._call_key(fragment), fragment, out)
        legacy = delta.get("function_call")
        if isinstance(legacy, dict):
            self._call_fragment("function_call", {"function": legacy}, out)

    def _flow_text(self, kind: str, text: str, out: list[Event]) -> None:
        if not text:
            return
        if self._flow is None or self._flow[0] != kind:
            self._stop_flow(out)
            index = self._take_index()
            part = Thinking("", origin=self.origin) if kind == "thinking" else Text("")
            out.append(PartStart(index, part))
            self._flow = (kind, index)
        out.append(PartDelta(self._flow[1], text=text))

    def _call_key(self, fragment: dict[str, Any]) -> object:
        index = fragment.get("index")
        if isinstance(index, int):
            return index
        # Servers that omit `index`: a new id starts a call, an absent one continues the last.
        call_id = fragment.get("id")
        if isinstance(call_id, str) and call_id:
            return self._call_ids.setdefault(call_id, f"id:{call_id}")
        return self._last_call if self._last_call is not None else 0

    def _call_fragment(self, key: object, fragment: dict[str, Any], out: list[Event]) -> None:
        function = fragment.get("function")
        function = function if isinstance(function, dict) else {}
        index = self._calls.get(key)
        if index is None:
            self._stop_flow(out)
            index = self._calls[key] = self._take_index()
            self._open_calls.append(index)
            call_id, name = fragment.get("id"), function.get("name")
            call = ToolCall(
                call_id if isinstance(call_id, str) and call_id else new_id("call_"),
                name if isinstance(name, str) else "",
            )
            out.append(PartStart(index, call))
        self._last_call = key
        arguments = function.get("arguments")
        if isinstance(arguments, str) and arguments:
            out.append(PartDelta(index, text=arguments))

    def _take_index(self) -> int:
        index, self._next_index = self._next_index, self._next_index + 1
        return index

    def _stop_flow(self, out: list[Event]) -> None:
        if self._flow is not None:
            out.append(PartStop(self._flow[1]))
            self._flow = None

    def _stop_parts(self, out: list[Event]) -> None:
        self._stop_flow(out)
        out.extend(PartStop(index) for index in self._open_calls)
        self._open_calls = []

    def _end(self) -> list[Event]:
        self._done = True
        out: list[Event] = [] if self._started else [Start(id="", model="")]
        self._stop_parts(out)
        reason = stop_reason(self._finish, has_tool_calls=bool(self._calls))
        if reason == "end_turn" and self._refusal:
            reason = "refusal"
        out.append(Stop(reason))
        return out

    def _fail(self, error: GatewayError) -> list[Event]:
        self._done = True
        return [StreamError(error)]


class Renderer:
    """Draws IR events as the chunks OpenAI itself sends, in its order.

    A role chunk, content / reasoning / tool call deltas, the finish chunk, the usage
    chunk (`choices: []`, only when the client asked with `include_usage`), `[DONE]`.
    Every chunk has the same id, created and model (the name the client asked for).
    """

    def __init__(self, request: Request) -> None:
        self._request = request
        self._id = new_id("chatcmpl-")
        self._created = int(time.time())
        self._started = False
        self._closed = False
        # What each IR part index is drawn as: "text", "thinking", "tool" or "skip".
        self._kinds: dict[int, str] = {}
        # IR index of a tool call -> its `index` among this message's tool calls.
        self._slots: dict[int, int] = {}
        self._has_arguments: set[int] = set()
        self._call_order = CallOrder()
        self._usage = Usage()
        # `{"id": ..., "model": ..., "choices":` as bytes, once the id is known.
        self._head = b""

    def keepalive(self) -> bytes:
        return sse.comment("keep-alive")

    def render(self, event: Event) -> bytes:
        if self._closed:
            return b""
        return _HANDLERS[event.kind](self, event)

    def _start(self, event: Start) -> bytes:
        # Chat's own form (`chatcmpl-`), whatever the upstream called its answer.
        self._id = client_response_id(event.id, "openai_chat")
        self._head = b""
        return self._role_chunk()

    def _role_chunk(self) -> bytes:
        if self._started:
            return b""
        self._started = True
        return self._chunk({"role": "assistant", "content": ""})

    def _part_start(self, event: PartStart) -> bytes:
        part = event.part
        if isinstance(part, ToolCall):
            self._kinds[event.index] = "tool"
            slot = self._slots[event.index] = len(self._slots)
            call: wire.DeltaToolCall = {
                "index": slot,
                "id": client_call_id(part.id, "openai_chat"),
                "type": "function",
                "function": {"name": part.name, "arguments": ""},
            }
            return self._role_chunk() + self._call_order.start(
                event.index, self._chunk({"tool_calls": [call]})
            )
        if isinstance(part, Text):
            self._kinds[event.index] = "text"
        elif isinstance(part, Thinking) and not part.redacted:
            self._kinds[event.index] = "thinking"
        else:
            # Chat has no place for images or redacted reasoning in an answer.
            logger.warning("openai_chat: dropped a %s part the Chat stream cannot carry", part.kind)
            self._kinds[event.index] = "skip"
        return self._role_chunk()

    def _part_delta(self, event: PartDelta) -> bytes:
        kind = self._kinds.get(event.index, "skip")
        if not event.text or kind == "skip":
            return b""
        if kind == "tool":
            self._has_arguments.add(event.index)
            return self._call_order.add(event.index, self._arguments(event.index, event.text))
        field = "content" if kind == "text" else "reasoning_content"
        return self._role_chunk() + self._chunk({field: event.text})

    def _arguments(self, index: int, text: str) -> bytes:
        call: wire.DeltaToolCall = {"index": self._slots[index], "function": {"arguments": text}}
        return self._chunk({"tool_calls": [call]})

    def _part_stop(self, event: PartStop) -> bytes:
        if self._kinds.get(event.index) != "tool":
            return b""
        last = b""
        if event.index not in self._has_arguments:
            # A call with no arguments at all: clients JSON-parse what they got.
            self._has_arguments.add(event.index)
            last = self._arguments(event.index, "{}")
        return self._call_order.end(event.index, last)

    def _usage_update(self, event: UsageUpdate) -> bytes:
        self._usage = self._usage.merge(event.usage)
        return b""

    def _stop(self, event: Stop) -> bytes:
        self._closed = True
        reason = finish_reason(event.reason, has_tool_calls=bool(self._slots))
        out = self._call_order.flush() + self._role_chunk() + self._chunk({}, reason)
        if self._request.include_usage:
            out += self._envelope([], render_usage(self._usage))
        return out + _DONE

    def _error(self, event: StreamError) -> bytes:
        self._closed = True
        _, body = render_error(event.error)
        return self._call_order.flush() + sse.encode(orjson.dumps(body)) + _DONE

    def _chunk(self, delta: dict[str, Any], finish: str | None = None) -> bytes:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
        return self._envelope([choice], None)

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

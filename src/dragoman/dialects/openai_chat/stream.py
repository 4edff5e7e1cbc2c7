"""Chat Completions streams: upstream chunks -> IR events (`Parser`), and IR events ->
the chunks a Chat client receives (`Renderer`, in `stream_render`).

A Chat stream is `data: {chunk}` events ending in `data: [DONE]`. Chunks carry deltas
with no part boundaries: text, reasoning text and tool call fragments (keyed by
`index`, possibly interleaved) may arrive in any order. The parser gives each its own
IR part in order of first appearance, ends a text or reasoning part when the other
kind begins, and holds `Stop` until `[DONE]` so the usage chunk that follows the
finish chunk comes before it. Each choice (`n` > 1) is followed on its own, its events
marked with its `index` (`ir.events`).
"""

from __future__ import annotations

import logging
from typing import Any

import orjson

from dragoman import sse
from dragoman.dialects.openai_chat.error import from_payload
from dragoman.dialects.openai_chat.response import parse_usage, reasoning_text, stop_reason
from dragoman.dialects.openai_chat.stream_render import Renderer
from dragoman.ir.errors import GatewayError, UpstreamError
from dragoman.ir.events import (
    MAX_CHOICES,
    Event,
    PartDelta,
    PartStart,
    PartStop,
    Start,
    Stop,
    StreamError,
    UsageUpdate,
    of_choice,
)
from dragoman.ir.ids import new_id
from dragoman.ir.messages import Text, Thinking, ToolCall

__all__ = ["Parser", "Renderer"]

logger = logging.getLogger("dragoman.dialects")


class Parser:
    """Folds an upstream's Chat chunks into IR events, one SSE event at a time."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self._started = False
        self._done = False
        self._choices: dict[int, _Choice] = {}
        self._first: _Choice | None = None  # choice 0's, once it came: looked up on every chunk

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
        first = self._choices.get(0)
        if first is not None and first.finish is not None:
            return self._end()
        return self._fail(UpstreamError("the upstream stream ended before the response was finished"))

    def _chunk(self, chunk: dict[str, Any]) -> list[Event]:
        out: list[Event] = []
        if not self._started:
            out.append(self._start(chunk))
        choices = chunk.get("choices")
        for choice in choices if isinstance(choices, list) else []:
            number = choice.get("index", 0) if isinstance(choice, dict) else None
            if number == 0 and type(number) is int:  # the one choice nearly every request asks for
                out += (self._first or self._choice(0)).feed(choice)
            elif isinstance(number, int) and not isinstance(number, bool) and 0 <= number < MAX_CHOICES:
                out += of_choice(self._choice(number).feed(choice), number)
        if chunk.get("usage") is not None:  # null on every chunk but the last, with include_usage
            usage = parse_usage(chunk["usage"])
            if usage is not None:
                out.append(UsageUpdate(usage))
        return out

    def _choice(self, number: int) -> _Choice:
        state = self._choices.get(number)
        if state is None:
            state = self._choices[number] = _Choice(self.origin)
            if number == 0:
                self._first = state
        return state

    def _start(self, chunk: dict[str, Any]) -> Start:
        self._started = True
        chunk_id, model = chunk.get("id"), chunk.get("model")
        return Start(
            id=chunk_id if isinstance(chunk_id, str) else "",
            model=model if isinstance(model, str) else "",
        )

    def _end(self) -> list[Event]:
        self._done = True
        out: list[Event] = [] if self._started else [Start(id="", model="")]
        # The first choice's Stop ends the stream, so the others' come before it.
        for number in sorted(self._choices, reverse=True):
            out += of_choice(self._choices[number].end(), number)
        if 0 not in self._choices:
            out += _Choice(self.origin).end()
        return out

    def _fail(self, error: GatewayError) -> list[Event]:
        self._done = True
        return [StreamError(error)]


class _Choice:
    """One choice's deltas -> IR parts: text and reasoning flows, and tool calls."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.finish: str | None = None
        self._refusal = False
        self._next_index = 0
        # The text or reasoning part receiving deltas: (kind, IR index).
        self._flow: tuple[str, int] | None = None
        # Tool calls by their key in the chunks (`index`), and which are still open.
        self._calls: dict[object, int] = {}
        self._open_calls: list[int] = []
        self._call_ids: dict[str, object] = {}
        self._last_call: object = None

    def feed(self, choice: dict[str, Any]) -> list[Event]:
        delta = choice.get("delta")
        if type(delta) is dict and len(delta) == 1 and choice.get("finish_reason") is None:
            # Nearly every chunk of an answer: one more piece of the text being written.
            text = delta.get("content")
            if type(text) is str and self._flow is not None and self._flow[0] == "text":
                return [PartDelta(self._flow[1], text=text)] if text else []
        out: list[Event] = []
        if isinstance(delta, dict):
            self._delta(delta, out)
        finish = choice.get("finish_reason")
        if isinstance(finish, str):
            self.finish = finish
            self._stop_parts(out)
        return out

    def end(self) -> list[Event]:
        out: list[Event] = []
        self._stop_parts(out)
        reason = stop_reason(self.finish, has_tool_calls=bool(self._calls))
        if reason == "end_turn" and self._refusal:
            reason = "refusal"
        out.append(Stop(reason))
        return out

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

"""Kiro's answer stream: event-stream frames (`eventstream.Frame`) -> IR events.

    assistantResponseEvent   {"content": "<text delta>"}  (also wrapped in its own name)
    reasoningContentEvent    {"text", "signature"}
    toolUseEvent             {"toolUseId", "name", "input": "<JSON fragment>" | {...}}, then
                             {"toolUseId", "stop": true}: fragments joined per id
    contextUsageEvent        {"contextUsagePercentage"}: 100 or more = the window is full
    meteringEvent, messageStopEvent, metadata events: nothing to relay
    exception / error frames ContentLengthExceededException = the output limit (not an
                             error); any other ends the stream with its error

Kiro counts no tokens: the prompt is estimated from the context share it reports,
against the 200 k window its models have (as peers do); the output is not counted.
"""

from __future__ import annotations

from typing import Any

import orjson

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
from dragoman.ir.ids import new_id
from dragoman.ir.messages import Part, Text, Thinking, ToolCall
from dragoman.ir.usage import Usage
from dragoman.providers.kiro.error import stream_error
from dragoman.providers.kiro.eventstream import Decoder, Frame

__all__ = ["MEDIA_TYPE", "Parser", "decoder"]

MEDIA_TYPE = "application/vnd.amazon.eventstream"
CONTEXT_WINDOW = 200_000
OUTPUT_LIMIT = "ContentLengthExceededException"


def decoder(limit: int) -> Decoder:
    """The framing's decoder, holding at most `limit` bytes of one message."""
    return Decoder(limit)


class Parser:
    def __init__(self, origin: str) -> None:
        self._origin = origin
        self._started = False
        self._open: int | None = None  # the index of the part receiving deltas
        self._parts: list[Part] = []
        self._calls: dict[str, int] = {}  # toolUseId -> part index
        self._stop: StopReason | None = None
        self._context: float | None = None
        self._done = False

    def feed(self, frame: Frame) -> list[Event]:
        if self._done:
            return []
        events: list[Event] = [] if self._started else [Start(new_id("msg_"), "")]
        self._started = True
        if frame.message_type != "event":
            return events + self._exception(frame)
        payload = _json(frame.payload)
        handler = _HANDLERS.get(frame.event_type)
        if handler is not None and isinstance(payload, dict):
            events += handler(self, payload.get(frame.event_type, payload))
        return events

    def close(self) -> list[Event]:
        if self._done:
            return []
        events: list[Event] = [] if self._started else [Start(new_id("msg_"), "")]
        events += self._close_open()
        events += [PartStop(index) for index in self._calls.values() if index != self._open]
        self._calls.clear()
        if self._context is not None:
            events.append(UsageUpdate(Usage(input_tokens=round(self._context * CONTEXT_WINDOW / 100))))
        events.append(Stop(self._stop_reason()))
        self._done = True
        return events

    def _stop_reason(self) -> StopReason:
        if self._stop is not None:
            return self._stop
        if self._context is not None and self._context >= 100:
            return "context_window"
        return "tool_use" if any(isinstance(part, ToolCall) for part in self._parts) else "end_turn"

    def _exception(self, frame: Frame) -> list[Event]:
        if frame.event_type == OUTPUT_LIMIT:
            self._stop = "max_tokens"
            return []
        self._done = True
        return [StreamError(stream_error(frame))]

    def _text(self, payload: dict[str, Any]) -> list[Event]:
        text = payload.get("content")
        if not isinstance(text, str) or not text:
            return []
        return self._delta(Text, text)

    def _thinking(self, payload: dict[str, Any]) -> list[Event]:
        text, signature = payload.get("text"), payload.get("signature")
        events = self._delta(Thinking, text) if isinstance(text, str) and text else []
        if isinstance(signature, str) and signature:
            events += self._delta(Thinking, "")
            events.append(PartDelta(self._open or 0, signature=signature))
        return events

    def _delta(self, kind: type[Text] | type[Thinking], text: str) -> list[Event]:
        """Text for a part of `kind`: the open one, else a new one."""
        events: list[Event] = []
        if self._open is None or not isinstance(self._parts[self._open], kind):
            events += self._close_open()
            part = Text("") if kind is Text else Thinking(origin=self._origin)
            events.append(self._start(part))
        if text:
            events.append(PartDelta(self._open or 0, text))
        return events

    def _tool(self, payload: dict[str, Any]) -> list[Event]:
        call_id = payload.get("toolUseId")
        if not isinstance(call_id, str) or not call_id:
            return []
        events: list[Event] = []
        if call_id not in self._calls:
            events += self._close_open()
            events.append(self._start(ToolCall(call_id, str(payload.get("name") or ""))))
            self._calls[call_id] = self._open or 0
            self._open = None  # a call's fragments go to it by id, text to a new part
        index = self._calls[call_id]
        fragment = payload.get("input")
        if isinstance(fragment, dict) and fragment:
            fragment = orjson.dumps(fragment).decode()
        if isinstance(fragment, str) and fragment:
            events.append(PartDelta(index, fragment))
        if payload.get("stop") is True:
            events.append(PartStop(index))
            del self._calls[call_id]
        return events

    def _context_usage(self, payload: dict[str, Any]) -> list[Event]:
        share = payload.get("contextUsagePercentage")
        if isinstance(share, int | float) and not isinstance(share, bool):
            self._context = float(share)
        return []

    def _start(self, part: Part) -> PartStart:
        self._parts.append(part)
        self._open = len(self._parts) - 1
        return PartStart(self._open, part)

    def _close_open(self) -> list[Event]:
        if self._open is None:
            return []
        index, self._open = self._open, None
        return [PartStop(index)]


_HANDLERS = {
    "assistantResponseEvent": Parser._text,
    "reasoningContentEvent": Parser._thinking,
    "toolUseEvent": Parser._tool,
    "contextUsageEvent": Parser._context_usage,
}


def _json(payload: bytes) -> Any:
    try:
        return orjson.loads(payload) if payload else None
    except orjson.JSONDecodeError:
        raise UpstreamError("Kiro sent an event whose payload is not JSON") from None

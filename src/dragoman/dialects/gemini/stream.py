"""streamGenerateContent (`alt=sse`) <-> IR events: an upstream's stream is read here
(`Parser`); a client's is drawn by `Renderer` (`stream_render`), or as the JSON array
Google sends without `alt=sse` (`array_stream`).

Each `data:` chunk is a GenerateContentResponse holding only the new parts. Text
fragments continue one IR part until a part of another kind arrives; thought
fragments likewise continue one `Thinking`; a `functionCall` arrives whole. A
`thoughtSignature` on a non-thought part is a `Thinking` of its own just before that
part. `usageMetadata` may come on several chunks, `finishReason` on the last one.
Gemini has no terminal event: the end of the bytes is the end, so `close()` emits
`Stop`. Code Assist wraps every chunk as `{"response": {...}}`; that is unwrapped.
Each candidate (`candidateCount` > 1) is read on its own, its events marked with its
`index` (`ir.events`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import orjson

from dragoman import sse
from dragoman.dialects.gemini import error as errors
from dragoman.dialects.gemini.fields import get
from dragoman.dialects.gemini.outcome import parse_usage, stop_reason
from dragoman.dialects.gemini.parts import PartReader, upstream_signature
from dragoman.dialects.gemini.stream_render import Renderer
from dragoman.ir.errors import GatewayError, InvalidRequest, UpstreamError
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
from dragoman.ir.messages import Part, Text, Thinking, ToolCall

__all__ = ["Parser", "Renderer"]

logger = logging.getLogger("dragoman.dialects")


class Parser:
    """An upstream's Gemini stream -> IR events."""

    def __init__(self, origin: str) -> None:
        self._origin = origin
        self._started = False
        self._ended = False
        self._blocked = False
        self._candidates: dict[int, _Candidate] = {}

    def feed(self, event: sse.Event) -> list[Event]:
        data = event.data.strip()
        if not data or data == "[DONE]":  # Gemini sends none; some proxies add one
            return []
        try:
            chunk = orjson.loads(data)
        except orjson.JSONDecodeError:
            return self._fail(UpstreamError("Gemini sent a stream chunk that is not JSON"))
        return self.chunk(chunk)

    def chunk(self, chunk: Any) -> list[Event]:
        """Events for one decoded GenerateContentResponse (also used for whole answers)."""
        if self._ended:
            return []
        if isinstance(chunk, list):
            # Without alt=sse, streamGenerateContent answers a JSON array of chunks.
            return [event for item in chunk for event in self.chunk(item)]
        if isinstance(chunk, dict) and isinstance(chunk.get("response"), dict):
            chunk = chunk["response"]
        if not isinstance(chunk, dict):
            return self._fail(UpstreamError("Gemini sent a stream chunk that is not an object"))
        if isinstance(chunk.get("error"), dict):
            return self._fail(errors.from_object(chunk["error"]))
        events: list[Event] = [] if self._started else [self._start(chunk)]
        for number, candidate in _candidates(chunk):
            events += of_choice(self._candidate(number).feed(candidate), number)
        feedback = chunk.get("promptFeedback")
        if isinstance(feedback, dict) and feedback.get("blockReason"):
            self._blocked = True
        if isinstance(chunk.get("usageMetadata"), dict):
            events.append(UsageUpdate(parse_usage(chunk["usageMetadata"])))
        return events

    def close(self) -> list[Event]:
        if self._ended:
            return []
        first = self._candidates.get(0)
        if not (self._blocked or (first is not None and first.answered)):
            return self._fail(UpstreamError("Gemini's stream ended before it gave an answer"))
        self._ended = True
        # The first candidate's Stop ends the stream, so the others' come before it.
        events: list[Event] = []
        for number in sorted(self._candidates, reverse=True):
            events += of_choice(self._candidates[number].end(self._blocked), number)
        if first is None:
            events += _Candidate(self._origin).end(self._blocked)
        return events

    def _candidate(self, number: int) -> _Candidate:
        candidate = self._candidates.get(number)
        if candidate is None:
            candidate = self._candidates[number] = _Candidate(self._origin)
        return candidate

    def _start(self, chunk: dict[str, Any]) -> Start:
        self._started = True
        response_id = chunk.get("responseId")
        model = chunk.get("modelVersion")
        return Start(
            id=response_id if isinstance(response_id, str) and response_id else new_id("resp_"),
            model=model if isinstance(model, str) else "",
        )

    def _fail(self, error: GatewayError) -> list[Event]:
        self._ended = True
        return [StreamError(error)]


def _candidates(chunk: dict[str, Any]) -> Iterator[tuple[int, dict[str, Any]]]:
    """A chunk's candidates by their `index` (their position when they have none)."""
    candidates = chunk.get("candidates")
    for position, candidate in enumerate(candidates if isinstance(candidates, list) else []):
        number = candidate.get("index", position) if isinstance(candidate, dict) else None
        if isinstance(number, int) and not isinstance(number, bool) and 0 <= number < MAX_CHOICES:
            yield number, candidate


class _Candidate:
    """One candidate's parts, as they arrive over the chunks."""

    def __init__(self, origin: str) -> None:
        self._origin = origin
        self._reader = PartReader(upstream_signature(origin), lambda _path: new_id("call_"), origin)
        self._index = -1
        self._open: Part | None = None  # the Text or Thinking still growing
        self._finish: str | None = None
        self._tool_calls = False
        self._content = False

    @property
    def answered(self) -> bool:
        """Whether it said anything or said why it stopped."""
        return self._content or self._finish is not None

    def feed(self, candidate: dict[str, Any]) -> list[Event]:
        events: list[Event] = []
        content = candidate.get("content")
        parts = content.get("parts") if isinstance(content, dict) else None
        for raw in parts if isinstance(parts, list) else []:
            events += self._part(raw)
        self._finish = candidate.get("finishReason") or self._finish
        return events

    def end(self, blocked: bool) -> list[Event]:
        reason = stop_reason(self._finish, blocked=blocked, tool_calls=self._tool_calls)
        return [*self._stop_open(), Stop(reason=reason)]

    def _part(self, raw: object) -> list[Event]:
        if not isinstance(raw, dict):
            return []
        signature = get(raw, "thoughtSignature")
        text = raw.get("text")
        if get(raw, "thought") is True and isinstance(text, str):
            return self._thought(text, signature)
        events = self._signature(signature) if isinstance(signature, str) and signature else []
        try:
            part = self._reader.content(raw, "part")
        except InvalidRequest as problem:
            logger.warning("skipping a malformed Gemini part: %s", problem.message)
            return events
        if isinstance(part, Text):
            return events + self._text(part.text)
        if part is not None:
            events += [*self._stop_open(), *self._whole(part)]
        return events

    def _text(self, text: str) -> list[Event]:
        if isinstance(self._open, Text):
            return [PartDelta(self._index, text=text)]
        events = self._begin(Text(""))
        return [*events, PartDelta(self._index, text=text)]

    def _thought(self, text: str, signature: object) -> list[Event]:
        events: list[Event] = []
        growing = isinstance(self._open, Thinking) and self._open.signature is None
        if not growing:
            events = self._begin(Thinking(origin=self._origin))
        if text:
            events.append(PartDelta(self._index, text=text))
        if isinstance(signature, str) and signature:
            events.append(PartDelta(self._index, signature=signature))
            self._open.signature = signature  # type: ignore[union-attr]
        return events

    def _signature(self, signature: str) -> list[Event]:
        events = self._begin(Thinking(origin=self._origin))
        events += [PartDelta(self._index, signature=signature), PartStop(self._index)]
        self._open = None
        return events

    def _whole(self, part: Part) -> list[Event]:
        self._index += 1
        self._content = True
        if isinstance(part, ToolCall):
            self._tool_calls = True
            start = PartStart(self._index, replace(part, arguments=""))
            return [start, PartDelta(self._index, text=part.arguments), PartStop(self._index)]
        return [PartStart(self._index, part), PartStop(self._index)]

    def _begin(self, part: Text | Thinking) -> list[Event]:
        events = self._stop_open()
        self._index += 1
        self._content = True
        self._open = part
        return [*events, PartStart(self._index, replace(part))]

    def _stop_open(self) -> list[Event]:
        if self._open is None:
            return []
        self._open = None
        return [PartStop(self._index)]

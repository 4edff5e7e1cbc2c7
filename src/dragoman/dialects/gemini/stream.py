"""streamGenerateContent (`alt=sse`) <-> IR events (`array_stream` draws the same
answer as the JSON array Google sends without `alt=sse`).

Each `data:` chunk is a GenerateContentResponse holding only the new parts. Text
fragments continue one IR part until a part of another kind arrives; thought
fragments likewise continue one `Thinking`; a `functionCall` arrives whole. A
`thoughtSignature` on a non-thought part is a `Thinking` of its own just before that
part. `usageMetadata` may come on several chunks, `finishReason` on the last one.
Gemini has no terminal event: the end of the bytes is the end, so `close()` emits
`Stop`. Code Assist wraps every chunk as `{"response": {...}}`; that is unwrapped.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

import orjson

from dragoman import sse
from dragoman.dialects.gemini import error as errors
from dragoman.dialects.gemini import wire
from dragoman.dialects.gemini.content import function_call, media_part
from dragoman.dialects.gemini.fields import get
from dragoman.dialects.gemini.outcome import FINISH_REASONS, parse_usage, render_usage, stop_reason
from dragoman.dialects.gemini.parts import PartReader, encode_signature, upstream_signature
from dragoman.ir.errors import GatewayError, InvalidRequest, UpstreamError
from dragoman.ir.events import Event, PartDelta, PartStart, PartStop, Start, Stop, StreamError, UsageUpdate
from dragoman.ir.ids import new_id
from dragoman.ir.messages import Document, Image, Part, Text, Thinking, ToolCall
from dragoman.ir.request import Request
from dragoman.ir.usage import Usage

logger = logging.getLogger("dragoman.dialects")


class Parser:
    """An upstream's Gemini stream -> IR events."""

    def __init__(self, origin: str) -> None:
        self._origin = origin
        self._reader = PartReader(upstream_signature(origin), lambda _path: new_id("call_"), origin)
        self._started = False
        self._ended = False
        self._index = -1
        self._open: Part | None = None  # the Text or Thinking still growing
        self._finish: str | None = None
        self._blocked = False
        self._tool_calls = False
        self._content = False

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
        candidate = _first_candidate(chunk)
        for raw in _parts_of(candidate):
            events += self._part(raw)
        self._finish = candidate.get("finishReason") or self._finish
        feedback = chunk.get("promptFeedback")
        if isinstance(feedback, dict) and feedback.get("blockReason"):
            self._blocked = True
        if isinstance(chunk.get("usageMetadata"), dict):
            events.append(UsageUpdate(parse_usage(chunk["usageMetadata"])))
        return events

    def close(self) -> list[Event]:
        if self._ended:
            return []
        if not (self._content or self._finish or self._blocked):
            return self._fail(UpstreamError("Gemini's stream ended before it gave an answer"))
        self._ended = True
        events = self._stop_open()
        reason = stop_reason(self._finish, blocked=self._blocked, tool_calls=self._tool_calls)
        return [*events, Stop(reason=reason)]

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


def _first_candidate(chunk: dict[str, Any]) -> dict[str, Any]:
    # The IR holds one answer: further candidates (candidateCount > 1) are not read.
    candidates = chunk.get("candidates")
    first = candidates[0] if isinstance(candidates, list) and candidates else None
    return first if isinstance(first, dict) else {}


def _parts_of(candidate: dict[str, Any]) -> list[Any]:
    content = candidate.get("content")
    parts = content.get("parts") if isinstance(content, dict) else None
    return parts if isinstance(parts, list) else []


class Renderer:
    """IR events -> the Gemini stream a client receives: one chunk of new parts per event."""

    def __init__(self, request: Request) -> None:
        self._model = request.model
        self._id = ""
        self._parts: dict[int, Part] = {}
        self._texts: dict[int, list[str]] = {}  # arguments / thinking text so far
        self._signatures: dict[int, str] = {}
        self._pending: str | None = None  # a signature for the next part out
        self._usage = Usage()
        self._closed = False

    def keepalive(self) -> bytes:
        # Not an SSE comment: google-genai (Python) parses any line not starting with
        # "data: " as JSON and fails. Every Gemini SDK skips a blank line.
        return b"\n"

    def render(self, event: Event) -> bytes:
        if self._closed:
            return b""
        if isinstance(event, StreamError):
            self._closed = True
            return self._frame(orjson.dumps(errors.render(event.error)[1])) + self._end()
        if isinstance(event, Stop):
            self._closed = True
            return self._chunk(self._flush(), finish=FINISH_REASONS.get(event.reason, "STOP")) + self._end()
        return self._chunk(self._parts_for(event))

    def _frame(self, payload: bytes) -> bytes:
        """One GenerateContentResponse (or error object) on the wire: an SSE event."""
        return sse.encode(payload)

    def _end(self) -> bytes:
        """What closes the answer after its last object: nothing, in SSE."""
        return b""

    def _parts_for(self, event: Event) -> list[wire.Part]:
        if isinstance(event, Start):
            self._id = event.id or new_id("resp_")
        elif isinstance(event, PartStart):
            self._parts[event.index] = event.part
            if isinstance(event.part, Image | Document):
                return self._out(media_part(event.part))
        elif isinstance(event, PartDelta):
            return self._delta(event)
        elif isinstance(event, PartStop):
            return self._stop(event.index)
        elif isinstance(event, UsageUpdate):
            self._usage = self._usage.merge(event.usage)
        return []

    def _delta(self, event: PartDelta) -> list[wire.Part]:
        part = self._parts.get(event.index)
        if event.signature:
            self._signatures[event.index] = self._signatures.get(event.index, "") + event.signature
        if not event.text:
            return []
        if isinstance(part, Text):
            return self._out({"text": event.text})
        if isinstance(part, Thinking) and not part.redacted:
            self._texts.setdefault(event.index, []).append(event.text)
            return self._out({"text": event.text, "thought": True})
        if isinstance(part, ToolCall):
            self._texts.setdefault(event.index, []).append(event.text)
        return []

    def _stop(self, index: int) -> list[wire.Part]:
        part = self._parts.pop(index, None)
        text = "".join(self._texts.pop(index, []))
        signature = self._signatures.pop(index, None)
        if isinstance(part, ToolCall):
            return self._out({"functionCall": function_call(replace(part, arguments=text))})
        if not isinstance(part, Thinking) or part.redacted or not signature:
            return []
        encoded = encode_signature(replace(part, signature=signature))
        if text:
            # Its text went out already; the signature closes it as an empty thought.
            return self._out({"text": "", "thought": True, "thoughtSignature": encoded or ""})
        self._pending = encoded
        return []

    def _out(self, part: wire.Part) -> list[wire.Part]:
        if self._pending is not None:
            part["thoughtSignature"] = self._pending
            self._pending = None
        return [part]

    def _flush(self) -> list[wire.Part]:
        """Parts still owed at the end: unstopped tool calls, a signature with no part after it."""
        out: list[wire.Part] = []
        for index in sorted(self._parts):
            out += self._stop(index)
        if self._pending is not None:
            out.append({"text": "", "thoughtSignature": self._pending})
            self._pending = None
        return out

    def _chunk(self, parts: list[wire.Part], finish: str | None = None) -> bytes:
        if not parts and finish is None:
            return b""
        candidate: wire.Candidate = {"content": {"role": "model", "parts": parts}, "index": 0}
        chunk: wire.GenerateContentResponse = {"candidates": [candidate]}
        if finish is not None:
            candidate["finishReason"] = finish
            chunk["usageMetadata"] = render_usage(self._usage)
        chunk["modelVersion"] = self._model
        chunk["responseId"] = self._id
        return self._frame(orjson.dumps(chunk))

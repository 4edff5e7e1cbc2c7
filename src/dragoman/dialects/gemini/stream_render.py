"""IR events -> the Gemini stream a client receives: one chunk of new parts per event.

Text and thought text go out as they arrive; a tool call goes out whole when it ends
(Gemini sends `functionCall` parts whole); a thinking part's signature rides on the
next part out (`thoughtSignature`), or on an empty part at the end. The last chunk has
the `finishReason` and the usage. A client that asked for several candidates
(`candidateCount`) gets each in chunks of its own `index`, and its own finish.

Framing is SSE here (`alt=sse`); `array_stream.Renderer` frames the same chunks as
the JSON array Google streams without it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import orjson

from dragoman import sse
from dragoman.dialects.gemini import error as errors
from dragoman.dialects.gemini import wire
from dragoman.dialects.gemini.content import function_call, media_part
from dragoman.dialects.gemini.outcome import FINISH_REASONS, render_usage
from dragoman.dialects.gemini.parts import encode_signature
from dragoman.ir.events import Event, PartDelta, PartStart, PartStop, Start, Stop, StreamError, UsageUpdate
from dragoman.ir.ids import new_id
from dragoman.ir.messages import Document, Image, Part, Text, Thinking, ToolCall
from dragoman.ir.request import Request
from dragoman.ir.usage import Usage


@dataclass(slots=True)
class _Candidate:
    """What one candidate has in flight: parts not yet whole, a signature to pass on."""

    index: int
    finished: bool = False
    parts: dict[int, Part] = field(default_factory=dict)
    texts: dict[int, list[str]] = field(default_factory=dict)  # arguments / thinking text so far
    signatures: dict[int, str] = field(default_factory=dict)
    pending: str | None = None  # a signature for the next part out

    def delta(self, event: PartDelta) -> list[wire.Part]:
        part = self.parts.get(event.index)
        if event.signature:
            self.signatures[event.index] = self.signatures.get(event.index, "") + event.signature
        if not event.text:
            return []
        if isinstance(part, Text):
            return self.out({"text": event.text})
        if isinstance(part, Thinking) and not part.redacted:
            self.texts.setdefault(event.index, []).append(event.text)
            return self.out({"text": event.text, "thought": True})
        if isinstance(part, ToolCall):
            self.texts.setdefault(event.index, []).append(event.text)
        return []

    def stop(self, index: int) -> list[wire.Part]:
        part = self.parts.pop(index, None)
        text = "".join(self.texts.pop(index, []))
        signature = self.signatures.pop(index, None)
        if isinstance(part, ToolCall):
            return self.out({"functionCall": function_call(replace(part, arguments=text))})
        if not isinstance(part, Thinking) or part.redacted or not signature:
            return []
        encoded = encode_signature(replace(part, signature=signature))
        if text:
            # Its text went out already; the signature closes it as an empty thought.
            return self.out({"text": "", "thought": True, "thoughtSignature": encoded or ""})
        self.pending = encoded
        return []

    def out(self, part: wire.Part) -> list[wire.Part]:
        if self.pending is not None:
            part["thoughtSignature"] = self.pending
            self.pending = None
        return [part]

    def flush(self) -> list[wire.Part]:
        """Parts still owed at the end: unstopped tool calls, a signature with no part after it."""
        out: list[wire.Part] = []
        for index in sorted(self.parts):
            out += self.stop(index)
        if self.pending is not None:
            out.append({"text": "", "thoughtSignature": self.pending})
            self.pending = None
        return out


class Renderer:
    """IR events -> the Gemini stream a client receives."""

    def __init__(self, request: Request) -> None:
        self._model = request.model
        self._id = ""
        self._candidates = [_Candidate(number) for number in range(max(1, request.choices))]
        self._usage = Usage()
        self._closed = False

    @property
    def usage(self) -> Usage:
        """The usage drawn so far (the whole answer's, once it ended)."""
        return self._usage

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
            return self._stop(event)
        if isinstance(event, Start):
            self._id = event.id or new_id("resp_")
        elif isinstance(event, UsageUpdate):
            self._usage = self._usage.merge(event.usage)
        elif (candidate := self._candidate(event.choice)) is not None:
            return self._chunk(candidate, self._parts_for(candidate, event))
        return b""

    def _frame(self, payload: bytes) -> bytes:
        """One GenerateContentResponse (or error object) on the wire: an SSE event."""
        return sse.encode(payload)

    def _end(self) -> bytes:
        """What closes the answer after its last object: nothing, in SSE."""
        return b""

    def _candidate(self, number: int) -> _Candidate | None:
        """A candidate the client asked for (others are not drawn)."""
        return self._candidates[number] if number < len(self._candidates) else None

    def _parts_for(self, candidate: _Candidate, event: PartStart | PartDelta | PartStop) -> list[wire.Part]:
        if isinstance(event, PartDelta):
            return candidate.delta(event)
        if isinstance(event, PartStop):
            return candidate.stop(event.index)
        candidate.parts[event.index] = event.part
        if isinstance(event.part, Image | Document):
            return candidate.out(media_part(event.part))
        return []

    def _stop(self, event: Stop) -> bytes:
        candidate = self._candidate(event.choice)
        if candidate is None:
            return b""
        finish = FINISH_REASONS.get(event.reason, "STOP")
        if event.choice:
            return self._finish(candidate, finish)  # the first candidate's Stop ends the stream
        self._closed = True
        out = b"".join(self._finish(other, "STOP") for other in self._candidates[1:])
        return out + self._finish(candidate, finish, last=True) + self._end()

    def _finish(self, candidate: _Candidate, finish: str, *, last: bool = False) -> bytes:
        if candidate.finished:
            return b""
        candidate.finished = True
        return self._chunk(candidate, candidate.flush(), finish, last=last)

    def _chunk(
        self, candidate: _Candidate, parts: list[wire.Part], finish: str | None = None, *, last: bool = False
    ) -> bytes:
        if not parts and finish is None:
            return b""
        drawn: wire.Candidate = {"content": {"role": "model", "parts": parts}, "index": candidate.index}
        chunk: wire.GenerateContentResponse = {"candidates": [drawn]}
        if finish is not None:
            drawn["finishReason"] = finish
        if last:
            chunk["usageMetadata"] = render_usage(self._usage)
        chunk["modelVersion"] = self._model
        chunk["responseId"] = self._id
        return self._frame(orjson.dumps(chunk))

"""The final response, and the one fold that builds it from stream events.

Upstream streams are folded with `Accumulator`, and a non-streamed upstream answer is
turned into events with `replay` when a client asked for a stream. Responses and Gemini
parse a whole answer by folding its events too; Chat and Anthropic build the same
Response directly (the fold cost a request several per cent).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

from dragoman.ir.errors import GatewayError
from dragoman.ir.events import (
    MAX_CHOICES,
    Event,
    PartDelta,
    PartStart,
    PartStop,
    Start,
    Stop,
    StopReason,
    StreamError,
    UsageUpdate,
    of_choice,
)
from dragoman.ir.messages import Part, Text, Thinking, ToolCall
from dragoman.ir.usage import Usage


@dataclass(slots=True)
class Response:
    id: str = ""
    model: str = ""
    parts: list[Part] = field(default_factory=list)
    stop_reason: StopReason | None = None
    stop_sequence: str | None = None
    usage: Usage = field(default_factory=Usage)
    # The further choices of a request for several (`n`): choice k is alternatives[k - 1],
    # each with its own parts and stop reason (id, model and usage are the answer's).
    alternatives: list[Response] = field(default_factory=list)

    def text(self) -> str:
        return "".join(part.text for part in self.parts if isinstance(part, Text))

    def tool_calls(self) -> list[ToolCall]:
        return [part for part in self.parts if isinstance(part, ToolCall)]


class Accumulator:
    """Folds events into a `Response`, one `feed` at a time.

    Parts are kept by stream index, then ordered by it, so interleaved parallel tool
    call fragments land in the right call. A `StreamError` is raised when fed.
    """

    __slots__ = ("_choice", "_others", "_parts", "response")

    def __init__(self, choice: int = 0) -> None:
        self.response = Response()
        self._choice = choice  # the choice whose events this one folds
        self._parts: dict[int, Part] = {}
        self._others: dict[int, Accumulator] = {}  # further choices

    def feed(self, event: Event) -> None:
        choice = getattr(event, "choice", 0)
        if choice != self._choice:
            if 0 < choice < MAX_CHOICES:
                self._others.setdefault(choice, Accumulator(choice)).feed(event)
        elif isinstance(event, PartDelta):
            _grow(self._parts[event.index], event)
        elif isinstance(event, PartStart):
            # A copy: the event's part belongs to whoever emitted it.
            self._parts[event.index] = replace(event.part)
        elif isinstance(event, Start):
            self.response.id, self.response.model = event.id, event.model
        elif isinstance(event, UsageUpdate):
            self.response.usage = self.response.usage.merge(event.usage)
        elif isinstance(event, Stop):
            self.response.stop_reason, self.response.stop_sequence = event.reason, event.stop_sequence
        elif isinstance(event, StreamError):
            raise event.error
        elif isinstance(event, PartStop):
            pass

    def finish(self) -> Response:
        self.response.parts = [self._parts[index] for index in sorted(self._parts)]
        if self.response.stop_reason is None:
            self.response.stop_reason = "tool_use" if self.response.tool_calls() else "end_turn"
        last = max(self._others, default=0)
        self.response.alternatives = [
            self._others.get(choice, Accumulator(choice)).finish() for choice in range(1, last + 1)
        ]
        return self.response


def _grow(part: Part, delta: PartDelta) -> None:
    if isinstance(part, Text):
        part.text += delta.text
    elif isinstance(part, Thinking):
        part.text += delta.text
        if delta.signature is not None:
            part.signature = (part.signature or "") + delta.signature
    elif isinstance(part, ToolCall):
        part.arguments += delta.text
    else:
        raise GatewayError(f"a {part.kind} part cannot receive a delta")


def accumulate(events: Iterable[Event]) -> Response:
    """The response a stream of events describes."""
    accumulator = Accumulator()
    for event in events:
        accumulator.feed(event)
    return accumulator.finish()


def replay(response: Response) -> Iterator[Event]:
    """The events of a stream that would accumulate to `response`."""
    yield Start(id=response.id, model=response.model)
    for index, part in enumerate(response.parts):
        yield from _replay_part(index, part)
    for choice, other in enumerate(response.alternatives, start=1):
        for index, part in enumerate(other.parts):
            yield from of_choice(list(_replay_part(index, part)), choice)
    yield UsageUpdate(usage=response.usage)
    for choice, other in enumerate(response.alternatives, start=1):
        yield Stop(reason=other.stop_reason or "end_turn", stop_sequence=other.stop_sequence, choice=choice)
    yield Stop(reason=response.stop_reason or "end_turn", stop_sequence=response.stop_sequence)


def _replay_part(index: int, part: Part) -> Iterator[Event]:
    if isinstance(part, Text):
        yield PartStart(index, Text("", cache_control=part.cache_control))
        if part.text:
            yield PartDelta(index, text=part.text)
    elif isinstance(part, Thinking):
        if part.redacted:
            yield PartStart(index, replace(part))
        else:
            yield PartStart(index, replace(part, text="", signature=None))
            if part.text:
                yield PartDelta(index, text=part.text)
            if part.signature:
                yield PartDelta(index, signature=part.signature)
    elif isinstance(part, ToolCall):
        yield PartStart(index, replace(part, arguments=""))
        if part.arguments:
            yield PartDelta(index, text=part.arguments)
    else:
        yield PartStart(index, replace(part))
    yield PartStop(index)

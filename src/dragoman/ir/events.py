"""Stream events: the one shape every upstream stream is parsed into.

A stream is `Start`, then parts, then `Stop`, with `UsageUpdate` anywhere:

    Start(id, model)
    PartStart(index, part)      # the part's identity, its content empty
    PartDelta(index, text)      # text / thinking text / argument JSON fragment
    PartDelta(index, signature=...)   # a thinking part's signature (Anthropic sends it last)
    PartStop(index)
    UsageUpdate(usage)          # cumulative: a later one replaces an earlier one
    Stop(reason, stop_sequence)

`index` is the part's position in the final message, so parts of a parallel tool call
may interleave. `PartStart` carries no content except what only arrives whole
(a redacted thinking block's data). A `StreamError` ends the stream instead of `Stop`.

Several choices (a client's `n` > 1): part events and `Stop` carry `choice`, 0 for the
first, whose events are the only ones most code reads. Each further choice numbers its
parts from 0 and ends with its own `Stop(choice=k)`; the stream still ends with the
first choice's `Stop`, after every other one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from dragoman.ir.errors import GatewayError
from dragoman.ir.messages import Part
from dragoman.ir.usage import Usage

StopReason = Literal[
    "end_turn",  # natural end
    "stop_sequence",  # a stop sequence was hit
    "max_tokens",  # output token limit
    "tool_use",  # the model called tools
    "refusal",  # safety / content filter
    "pause_turn",  # Anthropic server-tool pause
    "context_window",  # context window full
    "error",  # generation failed
]


@dataclass(slots=True)
class Start:
    id: str
    model: str
    kind: Literal["start"] = "start"


@dataclass(slots=True)
class PartStart:
    index: int
    part: Part
    kind: Literal["part_start"] = "part_start"
    choice: int = 0


@dataclass(slots=True)
class PartDelta:
    index: int
    text: str = ""
    signature: str | None = None
    kind: Literal["part_delta"] = "part_delta"
    choice: int = 0


@dataclass(slots=True)
class PartStop:
    index: int
    kind: Literal["part_stop"] = "part_stop"
    choice: int = 0


@dataclass(slots=True)
class UsageUpdate:
    usage: Usage = field(default_factory=Usage)
    kind: Literal["usage"] = "usage"


@dataclass(slots=True)
class Stop:
    reason: StopReason = "end_turn"
    stop_sequence: str | None = None
    kind: Literal["stop"] = "stop"
    choice: int = 0


@dataclass(slots=True)
class StreamError:
    error: GatewayError
    kind: Literal["error"] = "error"


Event = Start | PartStart | PartDelta | PartStop | UsageUpdate | Stop | StreamError
# OpenAI's ceiling for `n`: an upstream's choice index past it is not followed, so a
# hostile index cannot make an answer of a million empty choices.
MAX_CHOICES = 128


def of_choice(events: list[Event], choice: int) -> list[Event]:
    """`events` stamped as belonging to `choice` (events of no choice are left as they are)."""
    if choice:
        for event in events:
            if isinstance(event, PartStart | PartDelta | PartStop | Stop):
                event.choice = choice
    return events


def choice_of(event: Event) -> int:
    """The choice an event belongs to; 0 for events of the whole answer."""
    # Only part events and Stop have one; read without a type test, on every event of a stream.
    return getattr(event, "choice", 0)

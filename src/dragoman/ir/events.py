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


@dataclass(slots=True)
class PartDelta:
    index: int
    text: str = ""
    signature: str | None = None
    kind: Literal["part_delta"] = "part_delta"


@dataclass(slots=True)
class PartStop:
    index: int
    kind: Literal["part_stop"] = "part_stop"


@dataclass(slots=True)
class UsageUpdate:
    usage: Usage = field(default_factory=Usage)
    kind: Literal["usage"] = "usage"


@dataclass(slots=True)
class Stop:
    reason: StopReason = "end_turn"
    stop_sequence: str | None = None
    kind: Literal["stop"] = "stop"


@dataclass(slots=True)
class StreamError:
    error: GatewayError
    kind: Literal["error"] = "error"


Event = Start | PartStart | PartDelta | PartStop | UsageUpdate | Stop | StreamError

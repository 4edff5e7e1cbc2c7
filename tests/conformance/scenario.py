"""The neutral vocabulary of the conformance matrix: tools, their answers, an image, what a
client read back. Every client driver translates these into its own SDK's types."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

DIALECTS = ("openai_chat", "openai_responses", "anthropic", "gemini")

SYSTEM = "You are a terse assistant. Answer in one line."


@dataclass(frozen=True, slots=True)
class ToolSpec:
    name: str
    description: str
    parameters: dict[str, Any]


def _schema(field_name: str) -> dict[str, Any]:
    # Strict-compatible, so openai's `chat.completions.stream()` helper accepts the tools.
    return {
        "type": "object",
        "properties": {field_name: {"type": "string"}},
        "required": [field_name],
        "additionalProperties": False,
    }


WEATHER = ToolSpec("get_weather", "Current weather in a city", _schema("city"))
CLOCK = ToolSpec("get_time", "Current time in a timezone", _schema("timezone"))
TOOLS = (WEATHER, CLOCK)
ARGS = {WEATHER.name: {"city": "Paris"}, CLOCK.name: {"timezone": "Europe/Paris"}}
RESULTS = {WEATHER.name: "18C and sunny", CLOCK.name: "14:05"}

# A 1x1 red PNG.
PNG_B64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg=="
PNG = base64.b64decode(PNG_B64)


@dataclass(slots=True)
class Call:
    """A tool call as the client parsed it."""

    id: str | None
    name: str
    args: dict[str, Any]


@dataclass(slots=True)
class Answer:
    """What the client SDK handed back for one turn.

    `ids` holds the answer's id as each chunk of a stream carried it (one entry for a
    whole answer). `stop` is why it ended, in one vocabulary whatever the dialect
    ("end", "max_tokens", "tool_use", or the dialect's own word for anything else);
    `usage` is (input tokens including cached ones, output tokens including reasoning).
    `models` holds the model the answer names, as each chunk of a stream named it.
    """

    text: str = ""
    reasoning: str = ""
    signatures: list[str] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    stop: str = ""
    usage: tuple[int, int] | None = None
    models: list[str] = field(default_factory=list)

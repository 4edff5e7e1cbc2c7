"""The canonical request: what the client asked for, independent of its dialect."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from dragoman.ir.messages import Message, Text, ToolCall, ToolResult
from dragoman.ir.tools import Tool, ToolChoice

Effort = Literal["none", "minimal", "low", "medium", "high", "xhigh", "max"]


@dataclass(slots=True)
class Reasoning:
    """What the client asked of the model's thinking.

    `enabled=False` turns thinking off explicitly; `None` leaves the model's default.
    `effort` and `budget_tokens` may both be set; `ir.reasoning` converts one to the
    other for dialects that only know one. `summary` is Responses' summary mode
    (`auto|concise|detailed`); `include_thoughts` asks for thought text back (Gemini's
    `includeThoughts`, Anthropic's `display`).
    """

    enabled: bool | None = None
    effort: Effort | None = None
    budget_tokens: int | None = None
    summary: str | None = None
    include_thoughts: bool | None = None


@dataclass(slots=True)
class ResponseFormat:
    """Plain text, any JSON object, or JSON matching `schema`."""

    type: Literal["text", "json_object", "json_schema"] = "text"
    name: str | None = None
    schema: dict[str, Any] | None = None
    strict: bool | None = None


@dataclass(slots=True)
class Request:
    """One generation request.

    `source` is the dialect the client spoke; `extras` holds the client's top-level
    fields that have no canonical home (e.g. Anthropic `context_management`, Responses
    `prompt_cache_key`). Only an upstream speaking the same dialect receives them.
    `previous_response_id` names a response the upstream stored, which `messages`
    continue; only an upstream that keeps such state may receive the request.
    `choices` is how many alternative answers the client wants (Chat `n`, Gemini
    `candidateCount`); only an upstream that can give several may receive more than 1.
    """

    model: str
    messages: list[Message] = field(default_factory=list)
    system: list[Text] = field(default_factory=list)
    tools: list[Tool] = field(default_factory=list)
    tool_choice: ToolChoice | None = None
    parallel_tool_calls: bool | None = None
    stream: bool = False
    include_usage: bool = False
    choices: int = 1
    max_tokens: int | None = None
    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    stop: list[str] = field(default_factory=list)
    seed: int | None = None
    presence_penalty: float | None = None
    frequency_penalty: float | None = None
    response_format: ResponseFormat | None = None
    reasoning: Reasoning | None = None
    user: str | None = None
    metadata: dict[str, Any] | None = None
    source: str | None = None
    previous_response_id: str | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    def system_text(self, separator: str = "\n\n") -> str:
        """Leading system text as one string, for dialects with a single system field."""
        return separator.join(block.text for block in self.system if block.text)

    def tool(self, name: str) -> Tool | None:
        """The declared tool of that name, if any."""
        for tool in self.tools:
            if tool.name == name:
                return tool
        return None


def link_tool_results(messages: list[Message]) -> None:
    """Fill each `ToolResult.name` from the `ToolCall` it answers.

    Dialects that carry results by id only (OpenAI, Anthropic) leave the name empty;
    Gemini needs it. Parsers of id-only dialects call this once after parsing.
    """
    names: dict[str, str] = {}
    for message in messages:
        for part in message.parts:
            if isinstance(part, ToolCall):
                names[part.id] = part.name
            elif isinstance(part, ToolResult) and part.name is None:
                part.name = names.get(part.call_id)

"""Tool definitions and the tool choice."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

ToolType = Literal["function", "custom", "native"]


@dataclass(slots=True)
class Tool:
    """A tool the model may call.

    - `function`: `parameters` is a JSON Schema object.
    - `custom`: freeform text input (Responses `custom` tools); `format` keeps the
      grammar. Dialects that cannot express it declare a function taking
      `{"input": string}` instead (see `ToolCall`).
    - `native`: a tool only its own dialect understands (hosted web search, Codex
      namespaces, ...), kept verbatim in `raw` with the `dialect` it came from. It is
      rendered to that dialect only, and dropped with a warning for any other.
    """

    name: str
    description: str | None = None
    parameters: dict[str, Any] | None = None
    strict: bool | None = None
    type: ToolType = "function"
    format: dict[str, Any] | None = None
    cache_control: dict[str, Any] | None = None
    raw: dict[str, Any] | None = None
    dialect: str | None = None


@dataclass(slots=True)
class ToolChoice:
    """`auto`, `none`, `required` (any tool), or `tool` (the one named)."""

    mode: Literal["auto", "none", "required", "tool"] = "auto"
    name: str | None = None
    allowed: list[str] = field(default_factory=list)

"""Tool names an upstream accepts, and the way back to the client's names.

Vendors constrain tool names differently (OpenAI `^[a-zA-Z0-9_-]{1,64}$`, Anthropic up
to 128, Gemini allows dots and colons). A name the upstream would reject is replaced
by a valid one, consistently in the tool list, the tool choice and the history; the
returned map turns the upstream's calls back into the client's names. Names that are
already valid are never touched.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace

from dragoman.ir.messages import Message, ToolCall, ToolResult
from dragoman.ir.request import Request


@dataclass(frozen=True, slots=True)
class NameRule:
    pattern: re.Pattern[str]
    max_length: int
    invalid: re.Pattern[str]  # characters to replace


def rule(allowed_chars: str, max_length: int) -> NameRule:
    """A rule from a character class body such as `a-zA-Z0-9_-`."""
    return NameRule(
        pattern=re.compile(f"^[{allowed_chars}]{{1,{max_length}}}$"),
        max_length=max_length,
        invalid=re.compile(f"[^{allowed_chars}]"),
    )


def constrain(request: Request, name_rule: NameRule) -> tuple[Request, dict[str, str]]:
    """`request` with every invalid tool name replaced, and {upstream name: client name}."""
    names = {tool.name for tool in request.tools} | _called_names(request.messages)
    renames = {name: _valid(name, name_rule, names) for name in names if not name_rule.pattern.match(name)}
    if not renames:
        return request, {}
    tools = [replace(tool, name=renames.get(tool.name, tool.name)) for tool in request.tools]
    choice = request.tool_choice
    if choice is not None and choice.name in renames:
        choice = replace(choice, name=renames[choice.name])
    messages = [_rename_message(message, renames) for message in request.messages]
    renamed = replace(request, tools=tools, tool_choice=choice, messages=messages)
    return renamed, {new: old for old, new in renames.items()}


def _called_names(messages: list[Message]) -> set[str]:
    return {part.name for message in messages for part in message.parts if isinstance(part, ToolCall)}


def _valid(name: str, name_rule: NameRule, taken: set[str]) -> str:
    cleaned = name_rule.invalid.sub("_", name) or "tool"
    if len(cleaned) <= name_rule.max_length and cleaned not in taken:
        return cleaned
    # Too long, or clashing with another tool: a readable head made unique by a hash.
    digest = hashlib.sha1(name.encode()).hexdigest()[:8]
    return f"{cleaned[: name_rule.max_length - 9]}_{digest}"


def _rename_message(message: Message, renames: dict[str, str]) -> Message:
    parts = []
    for part in message.parts:
        if isinstance(part, ToolCall | ToolResult) and part.name in renames:
            part = replace(part, name=renames[part.name])
        parts.append(part)
    return replace(message, parts=parts)

"""Tool names as Claude Code writes them, and the way back to the client's names.

Anthropic checks that a Claude Pro/Max token is used by Claude Code, tool names
included: Claude Code's tools are PascalCase (`Read`, `Bash`, `TodoWrite`, ...) and its
MCP tools `mcp__<server>__<tool>`; third-party tools sending `read_file` or `bash` were
refused until they renamed them (upstreams.md §2.1; pi maps names onto Claude Code's,
and the byteowlz/pi-agent-extensions OAuth fix renamed snake_case tools to PascalCase).

So any other name is sent in Claude Code's style: a name that is one of Claude Code's
tools in another case or spelling becomes that tool (`todo_write` -> `TodoWrite`, as
pi does), others are PascalCased (`get_weather` -> `GetWeather`). The relay turns the
model's calls back into the client's names with the returned map. Hosted (native)
tools keep the names Anthropic defines.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace

from dragoman.ir.messages import Message, ToolCall, ToolResult
from dragoman.ir.request import Request
from dragoman.ir.tools import ToolChoice

MAX_LENGTH = 64
# Claude Code's own tools (upstreams.md §2.1 and Claude Code 2.1.329's captured requests).
CLAUDE_CODE_TOOLS: tuple[str, ...] = (
    "Agent",
    "AskUserQuestion",
    "Bash",
    "Edit",
    "EnterPlanMode",
    "ExitPlanMode",
    "Glob",
    "Grep",
    "KillShell",
    "NotebookEdit",
    "Read",
    "Skill",
    "Task",
    "TaskOutput",
    "TodoWrite",
    "WebFetch",
    "WebSearch",
    "Write",
)
ACCEPTED = re.compile(r"^(?:[A-Z][A-Za-z0-9]{0,63}|mcp__[A-Za-z0-9_-]{1,59})$")
_WORDS = re.compile(r"[A-Za-z0-9]+")
_CANONICAL: dict[str, str] = {name.lower(): name for name in CLAUDE_CODE_TOOLS}


def rename_tools(request: Request) -> tuple[Request, dict[str, str]]:
    """`request` with every tool name in Claude Code's style, and {sent name: client name}."""
    names = {tool.name for tool in request.tools if tool.type != "native"} | _called(request.messages)
    taken = {name for name in names if ACCEPTED.match(name)}
    renames: dict[str, str] = {}
    for name in sorted(names - taken):  # sorted: the same names come out every turn
        renames[name] = claude_code_name(name, taken)
        taken.add(renames[name])
    if not renames:
        return request, {}
    tools = [replace(tool, name=renames.get(tool.name, tool.name)) for tool in request.tools]
    renamed = replace(
        request,
        tools=tools,
        tool_choice=_rename_choice(request, renames),
        messages=[_rename_message(message, renames) for message in request.messages],
    )
    return renamed, {new: old for old, new in renames.items()}


def claude_code_name(name: str, taken: set[str]) -> str:
    """The Claude Code-style name for `name`, unlike any in `taken`."""
    words = _WORDS.findall(name)
    canonical = _CANONICAL.get("".join(words).lower())
    if canonical is not None and canonical not in taken:
        return canonical
    pascal = "".join(word[0].upper() + word[1:] for word in words)
    if not pascal[:1].isalpha():
        pascal = "Tool" + pascal  # a name must start with a capital letter
    if len(pascal) <= MAX_LENGTH and pascal not in taken:
        return pascal
    # Too long, or clashing with another tool: a readable head made unique by a hash.
    digest = hashlib.sha1(name.encode()).hexdigest()[:8]
    return pascal[: MAX_LENGTH - 8] + digest


def _called(messages: list[Message]) -> set[str]:
    return {part.name for message in messages for part in message.parts if isinstance(part, ToolCall)}


def _rename_choice(request: Request, renames: dict[str, str]) -> ToolChoice | None:
    choice = request.tool_choice
    if choice is None:
        return None
    name = renames.get(choice.name, choice.name) if choice.name is not None else None
    return replace(choice, name=name, allowed=[renames.get(item, item) for item in choice.allowed])


def _rename_message(message: Message, renames: dict[str, str]) -> Message:
    if not any(isinstance(part, ToolCall | ToolResult) and part.name in renames for part in message.parts):
        return message
    parts = [
        replace(part, name=renames[part.name])
        if isinstance(part, ToolCall | ToolResult) and part.name in renames
        else part
        for part in message.parts
    ]
    return replace(message, parts=parts)

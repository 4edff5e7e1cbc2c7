"""Tool declarations and the tool choice: Chat `tools`/`tool_choice` <-> IR.

Legacy `functions`/`function_call` parse into the same IR. Freeform `custom` tools
are sent upstream as a function taking `{"input": string}`, the IR's convention.
"""

from __future__ import annotations

import logging
from typing import Any

from dragoman.dialects.fields import (
    expect_list,
    expect_object,
    expect_str,
    invalid,
    json_name,
    optional_bool,
    optional_object,
    optional_str,
)
from dragoman.dialects.openai_chat import wire
from dragoman.ir.tools import Tool, ToolChoice

logger = logging.getLogger("dragoman.dialects")

CUSTOM_INPUT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"input": {"type": "string"}},
    "required": ["input"],
}
_MODES = ("none", "auto", "required")


def parse_tools(value: object, path: str) -> list[Tool]:
    if value is None:
        return []
    return [_parse_tool(item, f"{path}[{index}]") for index, item in enumerate(expect_list(value, path))]


def _parse_tool(value: object, path: str) -> Tool:
    tool = expect_object(value, path)
    kind = tool.get("type", "function")
    if kind == "function":
        return parse_function(tool.get("function"), f"{path}.function")
    if kind == "custom":
        return _parse_custom(expect_object(tool.get("custom"), f"{path}.custom"), f"{path}.custom")
    name = tool.get("name")
    return Tool(name if isinstance(name, str) else str(kind), type="native", raw=tool, dialect="openai_chat")


def parse_function(value: object, path: str) -> Tool:
    """A function declaration: `tools[i].function`, or an item of legacy `functions`."""
    function = expect_object(value, path)
    return Tool(
        name=expect_str(function.get("name"), f"{path}.name"),
        description=optional_str(function.get("description"), f"{path}.description"),
        parameters=optional_object(function.get("parameters"), f"{path}.parameters"),
        strict=optional_bool(function.get("strict"), f"{path}.strict"),
    )


def _parse_custom(custom: dict[str, Any], path: str) -> Tool:
    return Tool(
        name=expect_str(custom.get("name"), f"{path}.name"),
        description=optional_str(custom.get("description"), f"{path}.description"),
        type="custom",
        format=optional_object(custom.get("format"), f"{path}.format"),
    )


def parse_functions(value: object, path: str) -> list[Tool]:
    if value is None:
        return []
    return [parse_function(item, f"{path}[{index}]") for index, item in enumerate(expect_list(value, path))]


def parse_tool_choice(value: object, path: str) -> ToolChoice | None:
    if value is None:
        return None
    if isinstance(value, str):
        return _mode(value, path)
    choice = expect_object(value, path)
    kind = choice.get("type")
    if kind in ("function", "custom"):
        return ToolChoice("tool", name=_named(choice, kind, path))
    if kind == "allowed_tools":
        return _allowed(expect_object(choice.get("allowed_tools"), f"{path}.allowed_tools"), path)
    raise invalid(f"{path}.type", f"unknown tool choice type {kind!r}")


def parse_function_call(value: object, path: str) -> ToolChoice | None:
    """The legacy `function_call`: "none", "auto" or {"name": ...}."""
    if value is None:
        return None
    if isinstance(value, str):
        return _mode(value, path)
    named = expect_object(value, path)
    return ToolChoice("tool", name=expect_str(named.get("name"), f"{path}.name"))


def _mode(value: str, path: str) -> ToolChoice:
    if value not in _MODES:
        raise invalid(path, f"expected one of {', '.join(_MODES)}, got {value!r}")
    return ToolChoice(value)  # type: ignore[arg-type]


def _named(choice: dict[str, Any], kind: str, path: str) -> str:
    inner = expect_object(choice.get(kind), f"{path}.{kind}")
    return expect_str(inner.get("name"), f"{path}.{kind}.name")


def _allowed(allowed: dict[str, Any], path: str) -> ToolChoice:
    path = f"{path}.allowed_tools"
    mode = allowed.get("mode", "auto")
    if mode not in ("auto", "required"):
        raise invalid(f"{path}.mode", f"expected auto or required, got {mode!r}")
    names = []
    for index, item in enumerate(expect_list(allowed.get("tools"), f"{path}.tools")):
        tool = expect_object(item, f"{path}.tools[{index}]")
        kind = tool.get("type", "function")
        if not isinstance(kind, str) or not isinstance(tool.get(kind), dict):
            raise invalid(f"{path}.tools[{index}]", f"expected a named tool, got {json_name(tool.get(kind))}")
        names.append(_named(tool, kind, f"{path}.tools[{index}]"))
    return ToolChoice(mode, allowed=names)


def render_tools(tools: list[Tool]) -> list[wire.Tool]:
    rendered: list[wire.Tool] = []
    for tool in tools:
        if tool.type != "native":
            rendered.append({"type": "function", "function": _render_function(tool)})
        elif tool.dialect == "openai_chat" and tool.raw is not None:
            rendered.append(tool.raw)  # type: ignore[arg-type]
        else:
            logger.warning("openai_chat: dropped the %s tool %r", tool.dialect, tool.name)
    return rendered


def _render_function(tool: Tool) -> wire.FunctionDefinition:
    function: wire.FunctionDefinition = {"name": tool.name}
    if tool.description is not None:
        function["description"] = tool.description
    if tool.type == "custom":
        function["parameters"] = CUSTOM_INPUT_SCHEMA
    elif tool.parameters is not None:
        function["parameters"] = tool.parameters
    if tool.strict is not None and tool.type == "function":
        function["strict"] = tool.strict
    return function


def render_tool_choice(choice: ToolChoice) -> str | dict[str, Any]:
    if choice.mode == "tool" and choice.name is not None:
        return {"type": "function", "function": {"name": choice.name}}
    if choice.allowed and choice.mode in ("auto", "required"):
        tools = [{"type": "function", "function": {"name": name}} for name in choice.allowed]
        return {"type": "allowed_tools", "allowed_tools": {"mode": choice.mode, "tools": tools}}
    return "required" if choice.mode == "tool" else choice.mode

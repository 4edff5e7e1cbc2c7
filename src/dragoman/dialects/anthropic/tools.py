"""Tool declarations and tool choice: Anthropic shapes -> IR and back.

A client tool (no `type`, or `type: "custom"`, which is Anthropic's name for a plain
function tool) becomes an IR `function` tool. Fields the IR has no home for (such as
`defer_loading`, `eager_input_streaming`, `input_examples`) are kept by leaving the
whole declaration in `Tool.raw`; they are sent again only to an Anthropic upstream of
an Anthropic client. Server tools (`web_search_20250305`, `bash_20250124`, ...) become
`native` tools, rendered only for Anthropic.
"""

from __future__ import annotations

import logging
from typing import Any

from dragoman.ir.errors import InvalidRequest
from dragoman.ir.tools import Tool, ToolChoice

log = logging.getLogger("dragoman.dialects")

_FUNCTION_FIELDS = frozenset({"name", "description", "input_schema", "strict", "cache_control"})

# How freeform (`custom`) tools are declared to Anthropic: one string argument.
CUSTOM_INPUT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"input": {"type": "string"}},
    "required": ["input"],
}

_CHOICE_MODES: dict[str, str] = {"auto": "auto", "any": "required", "none": "none", "tool": "tool"}
_WIRE_CHOICES: dict[str, str] = {ir: wire for wire, ir in _CHOICE_MODES.items()}


def parse_tools(tools: Any, path: str = "tools") -> list[Tool]:
    if not isinstance(tools, list):
        raise InvalidRequest(f"{path}: expected a list", param=path)
    return [parse_tool(tool, f"{path}[{index}]") for index, tool in enumerate(tools)]


def parse_tool(raw: Any, path: str) -> Tool:
    if not isinstance(raw, dict):
        raise InvalidRequest(f"{path}: expected a tool object", param=path)
    kind = raw.get("type")
    cache_control = raw.get("cache_control") if isinstance(raw.get("cache_control"), dict) else None
    if kind not in (None, "custom"):
        declared = raw.get("name")
        name = declared if isinstance(declared, str) else str(kind)
        return Tool(name=name, type="native", raw=raw, dialect="anthropic", cache_control=cache_control)
    function_name, schema = raw.get("name"), raw.get("input_schema")
    if not isinstance(function_name, str) or not function_name:
        raise InvalidRequest(f"{path}.name: expected a non-empty string", param=f"{path}.name")
    if not isinstance(schema, dict):
        raise InvalidRequest(
            f"{path}.input_schema: expected a JSON Schema object", param=f"{path}.input_schema"
        )
    description = raw.get("description")
    strict = raw.get("strict")
    return Tool(
        name=function_name,
        description=description if isinstance(description, str) else None,
        parameters=schema,
        strict=strict if isinstance(strict, bool) else None,
        cache_control=cache_control,
        raw=raw if not _FUNCTION_FIELDS.issuperset(raw) else None,
    )


def parse_tool_choice(raw: Any, path: str = "tool_choice") -> tuple[ToolChoice, bool | None]:
    """The tool choice, and `parallel_tool_calls` from `disable_parallel_tool_use`."""
    # A str first: a list or an object is not hashable, so no dict lookup may see it.
    if not isinstance(raw, dict) or not isinstance(raw.get("type"), str) or raw["type"] not in _CHOICE_MODES:
        raise InvalidRequest(f"{path}: expected {{'type': 'auto'|'any'|'none'|'tool'}}", param=path)
    mode = _CHOICE_MODES[raw["type"]]
    name = raw.get("name")
    if mode == "tool" and not isinstance(name, str):
        raise InvalidRequest(f"{path}.name: expected the name of a tool", param=f"{path}.name")
    disable = raw.get("disable_parallel_tool_use")
    parallel = None if not isinstance(disable, bool) else not disable
    return ToolChoice(mode=mode, name=name if mode == "tool" else None), parallel  # type: ignore[arg-type]


def render_tools(tools: list[Tool], allowed: list[str], *, native: bool) -> list[dict[str, Any]]:
    """Tool declarations for the Anthropic API; `allowed` narrows them (OpenAI's allowed_tools)."""
    rendered: list[dict[str, Any]] = []
    for tool in tools:
        if allowed and tool.name not in allowed:
            continue
        declaration = render_tool(tool, native=native)
        if declaration is not None:
            rendered.append(declaration)
    return rendered


def render_tool(tool: Tool, *, native: bool) -> dict[str, Any] | None:
    if tool.type == "native":
        if tool.dialect == "anthropic" and tool.raw is not None:
            return dict(tool.raw)
        log.warning("anthropic: dropped the %s tool %r, which Anthropic cannot run", tool.dialect, tool.name)
        return None
    declaration: dict[str, Any] = {"name": tool.name}
    description = _description(tool)
    if description:
        declaration["description"] = description
    declaration["input_schema"] = CUSTOM_INPUT_SCHEMA if tool.type == "custom" else _schema(tool.parameters)
    # `strict` needs a model with structured outputs: only a client that spoke
    # Anthropic knows its model has them.
    if native and tool.strict is not None:
        declaration["strict"] = tool.strict
    if tool.cache_control is not None:
        declaration["cache_control"] = tool.cache_control
    if native and tool.raw is not None:
        declaration.update((key, value) for key, value in tool.raw.items() if key not in _FUNCTION_FIELDS)
    return declaration


def render_tool_choice(choice: ToolChoice | None, parallel: bool | None) -> dict[str, Any] | None:
    if choice is None and parallel is not False:
        return None
    mode = choice.mode if choice is not None else "auto"
    rendered: dict[str, Any] = {"type": _WIRE_CHOICES[mode]}
    if mode == "tool" and choice is not None:
        rendered["name"] = choice.name
    if parallel is not None and mode != "none":
        rendered["disable_parallel_tool_use"] = not parallel
    return rendered


def forces_tool(choice: dict[str, Any] | None) -> bool:
    return choice is not None and choice["type"] in ("any", "tool")


def _schema(parameters: dict[str, Any] | None) -> dict[str, Any]:
    if not parameters:
        return {"type": "object", "properties": {}}
    if "type" not in parameters:
        return {"type": "object", **parameters}
    return parameters


def _description(tool: Tool) -> str | None:
    grammar = tool.format if tool.type == "custom" and tool.format else None
    if not grammar or not grammar.get("definition"):
        return tool.description
    # A freeform tool's grammar is the only description of its input format.
    syntax = grammar.get("syntax", "")
    note = f"The input must follow this {syntax} grammar:\n{grammar['definition']}"
    return f"{tool.description}\n\n{note}" if tool.description else note

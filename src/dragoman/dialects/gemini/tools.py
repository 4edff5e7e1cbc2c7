"""`tools` and `toolConfig` <-> IR tools and tool choice.

Function declarations become function tools (their schema read as JSON Schema);
every other tool entry (`googleSearch`, `codeExecution`, `urlContext`, ...) is a
native tool that only a Gemini upstream receives. Custom (freeform) tools are
declared as a function taking `{"input": string}`. Schemas go out cleaned as
`parameters`, or as `parametersJsonSchema` when they hold a free-form object.
"""

from __future__ import annotations

import logging
from typing import Any

from dragoman.dialects.gemini import wire
from dragoman.dialects.gemini.fields import (
    camel,
    expect_list,
    expect_object,
    expect_str,
    get,
    invalid,
    leftovers,
    optional_str,
)
from dragoman.dialects.gemini.schema import has_open_object, to_gemini, to_json_schema
from dragoman.ir.tools import Tool, ToolChoice

logger = logging.getLogger("dragoman.dialects")

_INPUT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"input": {"type": "string"}},
    "required": ["input"],
}
_MODES: dict[str, str] = {"AUTO": "auto", "ANY": "required", "NONE": "none", "VALIDATED": "auto"}
_RENDERED_MODES: dict[str, str] = {"auto": "AUTO", "required": "ANY", "tool": "ANY", "none": "NONE"}


def parse_tools(value: object, path: str) -> list[Tool]:
    tools: list[Tool] = []
    for index, entry in enumerate(expect_list(value, path)):
        entry_path = f"{path}[{index}]"
        for key, inner in expect_object(entry, entry_path).items():
            name = camel(key)
            if name == "functionDeclarations":
                declarations = expect_list(inner or [], f"{entry_path}.{key}")
                tools += [_declaration(d, f"{entry_path}.{key}[{i}]") for i, d in enumerate(declarations)]
            else:
                tools.append(Tool(name=name, type="native", raw={name: inner}, dialect="gemini"))
    return tools


def _declaration(value: object, path: str) -> Tool:
    declaration = expect_object(value, path)
    schema = get(declaration, "parametersJsonSchema")
    if schema is None:
        schema = get(declaration, "parameters")
    if schema is not None:
        expect_object(schema, f"{path}.parameters")
    return Tool(
        name=expect_str(declaration.get("name"), f"{path}.name"),
        description=optional_str(declaration.get("description"), f"{path}.description"),
        parameters=to_json_schema(schema),
    )


def parse_tool_config(value: object, path: str) -> tuple[ToolChoice | None, dict[str, Any]]:
    """The tool choice, and the rest of `toolConfig` (e.g. `retrievalConfig`)."""
    config = expect_object(value, path)
    rest = leftovers(config, ("functionCallingConfig",))
    calling = get(config, "functionCallingConfig")
    if calling is None:
        return None, rest
    calling = expect_object(calling, f"{path}.functionCallingConfig")
    mode = _MODES.get(str(calling.get("mode", "AUTO")).upper())
    if mode is None:
        raise invalid(f"{path}.functionCallingConfig.mode", f"unknown mode {calling.get('mode')!r}")
    names = get(calling, "allowedFunctionNames") or []
    names = [expect_str(n, f"{path}.functionCallingConfig.allowedFunctionNames") for n in names]
    if mode == "required" and len(names) == 1:
        return ToolChoice(mode="tool", name=names[0]), rest
    return ToolChoice(mode=mode, allowed=names), rest  # type: ignore[arg-type]


def render_tools(tools: list[Tool]) -> list[dict[str, Any]]:
    declarations: list[wire.FunctionDeclaration] = []
    natives: list[dict[str, Any]] = []
    for tool in tools:
        if tool.type != "native":
            declarations.append(_declare(tool))
        elif tool.dialect == "gemini" and tool.raw:
            natives.append(tool.raw)
        else:
            logger.warning("dropping %s tool %r: Gemini cannot express it", tool.dialect, tool.name)
    rendered: list[dict[str, Any]] = [{"functionDeclarations": declarations}] if declarations else []
    return rendered + natives


def _declare(tool: Tool) -> wire.FunctionDeclaration:
    declaration: wire.FunctionDeclaration = {"name": tool.name}
    if tool.description:
        declaration["description"] = tool.description
    schema = _INPUT_SCHEMA if tool.type == "custom" else tool.parameters
    if schema is None:
        return declaration
    parameters = to_gemini(schema)
    if not (parameters.get("properties") or "anyOf" in parameters):
        return declaration  # no arguments: Gemini refuses an empty object schema
    if has_open_object(parameters):
        # Free-form objects only exist in JSON Schema, which Gemini takes under this name.
        declaration["parametersJsonSchema"] = {k: v for k, v in schema.items() if k != "$schema"}
    else:
        declaration["parameters"] = parameters
    return declaration


def render_tool_config(choice: ToolChoice | None) -> wire.ToolConfig | None:
    if choice is None:
        return None
    config: wire.FunctionCallingConfig = {"mode": _RENDERED_MODES[choice.mode]}  # type: ignore[typeddict-item]
    if choice.mode == "tool" and choice.name:
        config["allowedFunctionNames"] = [choice.name]
    elif choice.mode == "required" and choice.allowed:
        config["allowedFunctionNames"] = list(choice.allowed)
    return {"functionCallingConfig": config}

"""Tool declarations, namespaces and the tool choice, both directions.

Function tools are flat. A `namespace` tool (Codex) groups function/custom tools; the
model calls a member as `{"name": "<member>", "namespace": "<ns>"}`. Members are
flattened into ordinary IR tools named `<ns>__<member>` (Codex's own flat spelling)
so every upstream can offer them, and carry the namespace in `Tool.raw` so the call
can be split again for the client and the group rebuilt for a Responses upstream.
The default namespace `functions` holds plain tools: its members keep their names
and their calls carry no namespace.
"""

from __future__ import annotations

import logging
from typing import Any

from dragoman.ir.errors import InvalidRequest
from dragoman.ir.request import Request
from dragoman.ir.tools import Tool, ToolChoice

DIALECT = "openai_responses"
DEFAULT_NAMESPACE = "functions"
SEPARATOR = "__"
_CALLABLE = ("function", "custom")
_CHOICE_MODES = {"auto": "auto", "none": "none", "required": "required"}

log = logging.getLogger("dragoman.dialects")


def flat_name(namespace: object, name: str) -> str:
    """The IR name of a (possibly namespaced) tool or call."""
    if not isinstance(namespace, str) or not namespace or namespace == DEFAULT_NAMESPACE:
        return name
    return f"{namespace}{SEPARATOR}{name}"


def split_name(name: str, request: Request | None) -> tuple[str | None, str]:
    """`(namespace, name)` a client expects for the IR tool name `name`.

    A declared tool answers from its `raw`; an undeclared `ns__name` (a tool loaded by
    tool search) is split at the last separator, since Codex namespaces contain `__`.
    """
    tool = request.tool(name) if request is not None else None
    if tool is not None:
        member = _member_of(tool)
        if member is None:
            return None, name
        namespace, member_name = member
        return (None if namespace == DEFAULT_NAMESPACE else namespace), member_name
    if SEPARATOR in name:
        namespace, _, tail = name.rpartition(SEPARATOR)
        if namespace and tail:
            return namespace, tail
    return None, name


def _member_of(tool: Tool) -> tuple[str, str] | None:
    """`(namespace, member name)` of a tool flattened out of a namespace tool."""
    raw = tool.raw
    if tool.type == "native" or not raw or not isinstance(raw.get("namespace"), str):
        return None
    return raw["namespace"], raw["tool"]["name"]


# --- parse -------------------------------------------------------------------------


def parse_tools(value: Any, path: str) -> list[Tool]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidRequest(f"{path}: expected an array of tools")
    tools: list[Tool] = []
    for index, raw in enumerate(value):
        tools.extend(parse_tool(raw, f"{path}[{index}]"))
    return tools


def parse_tool(raw: Any, path: str) -> list[Tool]:
    if not isinstance(raw, dict) or not isinstance(raw.get("type"), str):
        raise InvalidRequest(f"{path}: expected a tool object with a type")
    kind = raw["type"]
    if kind in _CALLABLE:
        return [_callable(raw, path)]
    if kind == "namespace":
        return _namespace(raw, path)
    name = raw.get("name")
    return [
        Tool(
            name=name if isinstance(name, str) else kind,
            description=_text(raw, "description"),
            type="native",
            raw=raw,
            dialect=DIALECT,
        )
    ]


def _callable(raw: dict[str, Any], path: str) -> Tool:
    name = raw.get("name")
    if not isinstance(name, str) or not name:
        raise InvalidRequest(f"{path}.name: required")
    description = _text(raw, "description")
    if raw["type"] == "custom":
        fmt = raw.get("format")
        return Tool(
            name=name, description=description, type="custom", format=fmt if isinstance(fmt, dict) else None
        )
    parameters = raw.get("parameters")
    if parameters is not None and not isinstance(parameters, dict):
        raise InvalidRequest(f"{path}.parameters: expected a JSON Schema object")
    strict = raw.get("strict")
    return Tool(
        name=name,
        description=description,
        parameters=parameters,
        strict=strict if isinstance(strict, bool) else None,
    )


def _namespace(raw: dict[str, Any], path: str) -> list[Tool]:
    namespace = raw.get("name")
    if not isinstance(namespace, str) or not namespace:
        raise InvalidRequest(f"{path}.name: required")
    members = raw.get("tools")
    if not isinstance(members, list):
        raise InvalidRequest(f"{path}.tools: expected an array of tools")
    preface = _text(raw, "description") or ""
    tools = []
    for index, member in enumerate(members):
        member_path = f"{path}.tools[{index}]"
        if not isinstance(member, dict) or member.get("type") not in _CALLABLE:
            raise InvalidRequest(f"{member_path}: a namespace holds only function and custom tools")
        tool = _callable(member, member_path)
        tool.name = flat_name(namespace, tool.name)
        if preface.strip():
            # The namespace description is what tells the model what the group is for.
            tool.description = f"{preface}\n\n{tool.description or ''}".rstrip()
        tool.raw = {"namespace": namespace, "namespace_description": preface, "tool": member}
        tools.append(tool)
    return tools


def _text(raw: dict[str, Any], key: str) -> str | None:
    value = raw.get(key)
    return value if isinstance(value, str) else None


def parse_tool_choice(value: Any, path: str) -> ToolChoice | None:
    if value is None:
        return None
    if isinstance(value, str):
        if value not in _CHOICE_MODES:
            raise InvalidRequest(f"{path}: unknown tool choice {value!r}")
        return ToolChoice(mode=_CHOICE_MODES[value])  # type: ignore[arg-type]
    if not isinstance(value, dict) or not isinstance(value.get("type"), str):
        raise InvalidRequest(f"{path}: expected a string or an object with a type")
    kind = value["type"]
    if kind == "allowed_tools":
        return _allowed_tools(value, path)
    if kind in _CALLABLE:
        name = value.get("name")
        if not isinstance(name, str):
            raise InvalidRequest(f"{path}.name: required")
        return ToolChoice(mode="tool", name=name)
    # A hosted tool (web_search, file_search, ...): named like its native tool.
    name = value.get("name") if isinstance(value.get("name"), str) else kind
    return ToolChoice(mode="tool", name=name)


def _allowed_tools(value: dict[str, Any], path: str) -> ToolChoice:
    mode = value.get("mode", "auto")
    if mode not in ("auto", "required"):
        raise InvalidRequest(f"{path}.mode: expected 'auto' or 'required'")
    tools = value.get("tools")
    if not isinstance(tools, list):
        raise InvalidRequest(f"{path}.tools: expected an array")
    names = []
    for tool in tools:
        if isinstance(tool, dict):
            name = tool.get("name") if isinstance(tool.get("name"), str) else tool.get("type")
            if isinstance(name, str):
                names.append(flat_name(tool.get("namespace"), name))
    return ToolChoice(mode=mode, allowed=names)


# --- render ------------------------------------------------------------------------


def render_tools(request: Request) -> list[dict[str, Any]]:
    """Tools as a Responses body lists them; namespace members regrouped in place."""
    rendered: list[dict[str, Any]] = []
    groups: dict[str, dict[str, Any]] = {}
    same_dialect = request.source == DIALECT
    for tool in request.tools:
        member = _member_of(tool)
        if member is not None:
            _join_group(rendered, groups, member[0], tool)
        elif tool.type == "native":
            if tool.dialect == DIALECT and tool.raw is not None:
                rendered.append(tool.raw)
            else:
                log.warning(
                    "dropping tool %r: a %s tool cannot be sent to Responses", tool.name, tool.dialect
                )
        else:
            rendered.append(render_tool(tool, same_dialect=same_dialect))
    return rendered


def _join_group(
    rendered: list[dict[str, Any]], groups: dict[str, dict[str, Any]], namespace: str, tool: Tool
) -> None:
    group = groups.get(namespace)
    if group is None:
        description = tool.raw.get("namespace_description", "") if tool.raw else ""
        group = {"type": "namespace", "name": namespace, "description": description, "tools": []}
        groups[namespace] = group
        rendered.append(group)
    group["tools"].append(tool.raw["tool"])  # type: ignore[index]


def render_tool(tool: Tool, *, same_dialect: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"type": tool.type, "name": tool.name}
    if tool.description is not None:
        out["description"] = tool.description
    if tool.type == "custom":
        if tool.format is not None:
            out["format"] = tool.format
        return out
    out["parameters"] = (
        tool.parameters if tool.parameters is not None else {"type": "object", "properties": {}}
    )
    # Responses makes function tools strict by default, which rejects most schemas
    # written for other APIs; a foreign tool is sent non-strict unless it said so.
    if tool.strict is not None or not same_dialect:
        out["strict"] = bool(tool.strict)
    return out


def render_tool_choice(choice: ToolChoice, request: Request) -> str | dict[str, Any]:
    if choice.allowed:
        tools = [_choice_target(name, request) for name in choice.allowed]
        return {
            "type": "allowed_tools",
            "mode": "required" if choice.mode == "required" else "auto",
            "tools": tools,
        }
    if choice.mode != "tool" or not choice.name:
        return choice.mode if choice.mode != "tool" else "required"
    return _choice_target(choice.name, request)


def _choice_target(name: str, request: Request) -> dict[str, Any]:
    tool = request.tool(name)
    if tool is not None and tool.type == "native" and tool.raw is not None:
        return {"type": tool.raw.get("type", name)}
    namespace, member = split_name(name, request)
    target: dict[str, Any] = {"type": "custom" if tool is not None and tool.type == "custom" else "function"}
    target["name"] = member
    if namespace:
        target["namespace"] = namespace
    return target

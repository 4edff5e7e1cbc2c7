"""An IR request as Kiro's `GenerateAssistantResponse` body (upstreams.md §7.3):

    {"conversationState": {"chatTriggerType": "MANUAL", "conversationId": "<uuid>",
       "currentMessage": {"userInputMessage": {"content", "modelId", "origin",
           "images"?, "userInputMessageContext"?: {"tools"?, "toolResults"?}}},
       "history": [{"userInputMessage": ...}, {"assistantResponseMessage": ...}, ...]}}

The account's `profileArn` is added by the runtime (`KiroRuntime.wrap`). Tools ride only
on the current message; a description over `DESCRIPTION_LIMIT` characters moves into
the system text. The system text opens the first user turn, marked as such. Sampling
(temperature, top_p, max tokens, stop, seed), tool_choice other than none, response
formats and reasoning settings have no field here and are dropped (README, Kiro). A
body over `BODY_LIMIT` loses its oldest turns; one still over is refused.
"""

from __future__ import annotations

import uuid
from typing import Any

import orjson

from dragoman.ir.errors import ContextTooLong
from dragoman.ir.request import Request
from dragoman.ir.tools import Tool
from dragoman.providers.kiro.history import Turn, assistant_message, turns, user_message

# Peers' measured bounds: bodies near 600 KB and descriptions over ~10 k characters fail.
BODY_LIMIT = 600_000
DESCRIPTION_LIMIT = 10_000
SYSTEM_OPEN, SYSTEM_CLOSE = "<system_instructions>\n", "\n</system_instructions>"
# The schema keywords Kiro's validator refuses.
SCHEMA_DROPPED = ("additionalProperties", "$schema")


def upstream_path(model: str, stream: bool) -> str:
    return "/generateAssistantResponse"


def render(request: Request, *, model: str, origin: str | None = None) -> dict[str, Any]:
    tools = _tools(request)
    system = "\n\n".join(filter(None, [request.system_text(), *_moved_descriptions(tools)]))
    messages = [_message(turn, model) for turn in turns(request.messages)]
    current = messages[-1]["userInputMessage"]
    if tools:
        context = current.setdefault("userInputMessageContext", {})
        context["tools"] = [_tool_spec(tool) for tool in tools]
    history = messages[:-1]
    while len(orjson.dumps(body := _body(history, current, system))) > BODY_LIMIT:
        if len(history) < 2:
            raise ContextTooLong(
                f"the request is over Kiro's limit of about {BODY_LIMIT // 1000} KB even without its history"
            )
        history = _orphans_dropped(history[2:])
    return body


def _message(turn: Turn, model: str) -> dict[str, Any]:
    if turn.role == "user":
        return {"userInputMessage": user_message(turn, model)}
    return {"assistantResponseMessage": assistant_message(turn)}


def _body(history: list[dict[str, Any]], current: dict[str, Any], system: str) -> dict[str, Any]:
    """The body, the system text opening its first user turn (history's, else the current)."""
    if system and history:
        history = [{"userInputMessage": _prefixed(history[0]["userInputMessage"], system)}, *history[1:]]
    elif system:
        current = _prefixed(current, system)
    state = {"chatTriggerType": "MANUAL", "conversationId": str(uuid.uuid4())}
    return {
        "conversationState": {**state, "currentMessage": {"userInputMessage": current}, "history": history}
    }


def _prefixed(message: dict[str, Any], system: str) -> dict[str, Any]:
    return {**message, "content": f"{SYSTEM_OPEN}{system}{SYSTEM_CLOSE}\n\n{message['content']}"}


def _orphans_dropped(history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """After the oldest turns went: the first user turn's tool results answer calls that
    are no longer there."""
    if not history:
        return history
    first = dict(history[0]["userInputMessage"])
    first.pop("userInputMessageContext", None)
    return [{"userInputMessage": first}, *history[1:]]


def _tools(request: Request) -> list[Tool]:
    if request.tool_choice is not None and request.tool_choice.mode == "none":
        return []
    return [tool for tool in request.tools if tool.type != "native"]


def _moved_descriptions(tools: list[Tool]) -> list[str]:
    return [
        f"Tool {tool.name}: {tool.description}"
        for tool in tools
        if tool.description and len(tool.description) > DESCRIPTION_LIMIT
    ]


def _tool_spec(tool: Tool) -> dict[str, Any]:
    description = tool.description or tool.name
    if len(description) > DESCRIPTION_LIMIT:
        description = f"Tool {tool.name}: its full description is in the system instructions."
    schema = tool.parameters
    if tool.type == "custom" or schema is None:
        schema = (
            {"type": "object", "properties": {"input": {"type": "string"}}}
            if tool.type == "custom"
            else {"type": "object", "properties": {}}
        )
    return {
        "toolSpecification": {
            "name": tool.name,
            "description": description,
            "inputSchema": {"json": clean_schema(schema)},
        }
    }


def clean_schema(schema: Any) -> Any:
    """The schema without the keywords Kiro refuses, and without empty `required` lists."""
    if isinstance(schema, list):
        return [clean_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    cleaned = {key: clean_schema(value) for key, value in schema.items() if key not in SCHEMA_DROPPED}
    if cleaned.get("required") == []:
        del cleaned["required"]
    return cleaned

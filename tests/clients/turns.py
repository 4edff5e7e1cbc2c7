"""Reading a tool round trip back out of the request an upstream received, in its own
wire format: which calls the model made, and which results came back for which call."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

# (call ids -> names, [(call id or name, the result as text)])
ToolTurn = tuple[dict[str, str], list[tuple[str, str]]]


def _text(value: Any) -> str:
    return value if isinstance(value, str) else orjson.dumps(value).decode()


def _chat(body: dict[str, Any]) -> ToolTurn:
    calls, results = {}, []
    for message in body.get("messages", []):
        for call in message.get("tool_calls") or []:
            calls[call["id"]] = call["function"]["name"]
        if message.get("role") == "tool":
            results.append((message.get("tool_call_id", ""), _text(message.get("content"))))
    return calls, results


def _responses(body: dict[str, Any]) -> ToolTurn:
    calls, results = {}, []
    for item in body.get("input", []):
        if item.get("type") == "function_call":
            calls[item["call_id"]] = item["name"]
        elif item.get("type") == "function_call_output":
            results.append((item.get("call_id", ""), _text(item.get("output"))))
    return calls, results


def _anthropic(body: dict[str, Any]) -> ToolTurn:
    calls, results = {}, []
    for message in body.get("messages", []):
        content = message.get("content")
        for block in content if isinstance(content, list) else []:
            if block.get("type") == "tool_use":
                calls[block["id"]] = block["name"]
            elif block.get("type") == "tool_result":
                results.append((block.get("tool_use_id", ""), _text(block.get("content"))))
    return calls, results


def _gemini(body: dict[str, Any]) -> ToolTurn:
    # Gemini pairs a response with its call by name (an id is optional): names stand in for ids.
    calls, results = {}, []
    for content in body.get("contents", []):
        for part in content.get("parts", []):
            if "functionCall" in part:
                calls[part["functionCall"]["name"]] = part["functionCall"]["name"]
            if "functionResponse" in part:
                response = part["functionResponse"]
                results.append((response.get("name", ""), _text(response.get("response"))))
    return calls, results


READERS: dict[str, Callable[[dict[str, Any]], ToolTurn]] = {
    "openai_chat": _chat,
    "openai_responses": _responses,
    "anthropic": _anthropic,
    "gemini": _gemini,
}


def tool_turn(dialect: str, body: dict[str, Any]) -> ToolTurn:
    return READERS[dialect](body)


def requested_model(dialect: str, path: str, body: dict[str, Any]) -> str:
    """The model an upstream request asks for (Gemini names it in the path)."""
    if dialect == "gemini":
        return path.rsplit("/", 1)[-1].split(":", 1)[0]
    return str(body.get("model"))

"""The `messages` list: Chat roles <-> IR messages, in both directions.

Chat puts each tool result in its own `role:"tool"` message and leading system text
in `system`/`developer` messages; the IR keeps results inside a user message and
leading system text in `Request.system`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from dragoman.dialects.fields import (
    expect_list,
    expect_object,
    expect_str,
    invalid,
    optional_object,
    optional_str,
)
from dragoman.dialects.openai_chat import wire
from dragoman.dialects.openai_chat.content import (
    ASSISTANT_PARTS,
    TOOL_PARTS,
    USER_PARTS,
    ContentPart,
    parse_content,
    render_content,
    text_parts,
)
from dragoman.ir.ids import new_id
from dragoman.ir.messages import Document, Image, Message, Part, Text, Thinking, ToolCall, ToolResult
from dragoman.ir.reasoning import keep_for
from dragoman.ir.request import Request, link_tool_results


@dataclass(slots=True)
class _Conversation:
    system: list[Text] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    # The user message that consecutive tool results are gathered into.
    results: Message | None = None
    # Legacy `function_call`s have no id: one is made up and matched by name.
    pending_functions: dict[str, list[str]] = field(default_factory=dict)


def parse_messages(value: object) -> tuple[list[Text], list[Message]]:
    """`(leading system text, messages)` of a Chat `messages` list."""
    conversation = _Conversation()
    for index, item in enumerate(expect_list(value, "messages")):
        path = f"messages[{index}]"
        message = expect_object(item, path)
        role = message.get("role")
        parser = _PARSERS.get(role) if isinstance(role, str) else None
        if parser is None:
            raise invalid(f"{path}.role", f"unknown role {role!r}")
        parser(conversation, message, path)
    link_tool_results(conversation.messages)
    return conversation.system, conversation.messages


def _system(conversation: _Conversation, message: dict[str, Any], path: str) -> None:
    parts = text_parts(message.get("content"), f"{path}.content")
    if conversation.messages:
        conversation.messages.append(Message("system", list(parts)))
    else:
        conversation.system.extend(parts)
    conversation.results = None


def _user(conversation: _Conversation, message: dict[str, Any], path: str) -> None:
    parts = parse_content(message.get("content"), f"{path}.content", USER_PARTS)
    conversation.messages.append(Message("user", list(parts)))
    conversation.results = None


def _assistant(conversation: _Conversation, message: dict[str, Any], path: str) -> None:
    parts: list[Part] = []
    reasoning = message.get("reasoning_content") or message.get("reasoning")
    if isinstance(reasoning, str) and reasoning:
        parts.append(Thinking(reasoning))
    parts.extend(parse_content(message.get("content"), f"{path}.content", ASSISTANT_PARTS))
    refusal = optional_str(message.get("refusal"), f"{path}.refusal")
    if refusal:
        parts.append(Text(refusal))
    calls = message.get("tool_calls")
    if calls is not None:
        for index, call in enumerate(expect_list(calls, f"{path}.tool_calls")):
            parts.append(_tool_call(call, f"{path}.tool_calls[{index}]"))
    function_call = optional_object(message.get("function_call"), f"{path}.function_call")
    if function_call is not None:
        parts.append(_legacy_call(conversation, function_call, f"{path}.function_call"))
    conversation.messages.append(Message("assistant", parts))
    conversation.results = None


def _tool_call(value: object, path: str) -> ToolCall:
    call = expect_object(value, path)
    call_id = expect_str(call.get("id"), f"{path}.id")
    kind = call.get("type", "function")
    if kind == "custom":
        custom = expect_object(call.get("custom"), f"{path}.custom")
        name = expect_str(custom.get("name"), f"{path}.custom.name")
        text = expect_str(custom.get("input"), f"{path}.custom.input")
        return ToolCall(call_id, name, orjson.dumps({"input": text}).decode())
    if kind != "function":
        raise invalid(f"{path}.type", f"unknown tool call type {kind!r}")
    function = expect_object(call.get("function"), f"{path}.function")
    return ToolCall(call_id, *_function(function, f"{path}.function"))


def _function(function: dict[str, Any], path: str) -> tuple[str, str]:
    name = expect_str(function.get("name"), f"{path}.name")
    arguments = function.get("arguments")
    if isinstance(arguments, dict):
        # Lenient: some clients send the arguments object itself.
        return name, orjson.dumps(arguments).decode()
    return name, optional_str(arguments, f"{path}.arguments") or ""


def _legacy_call(conversation: _Conversation, function: dict[str, Any], path: str) -> ToolCall:
    name, arguments = _function(function, path)
    call_id = new_id("call_")
    conversation.pending_functions.setdefault(name, []).append(call_id)
    return ToolCall(call_id, name, arguments)


def _tool(conversation: _Conversation, message: dict[str, Any], path: str) -> None:
    call_id = expect_str(message.get("tool_call_id"), f"{path}.tool_call_id")
    _add_result(conversation, ToolResult(call_id, _result_content(message, path)))


def _legacy_function(conversation: _Conversation, message: dict[str, Any], path: str) -> None:
    name = expect_str(message.get("name"), f"{path}.name")
    pending = conversation.pending_functions.get(name)
    call_id = pending.pop(0) if pending else new_id("call_")
    _add_result(conversation, ToolResult(call_id, _result_content(message, path), name=name))


def _result_content(message: dict[str, Any], path: str) -> list[Text | Image | Document]:
    return parse_content(message.get("content"), f"{path}.content", TOOL_PARTS)


def _add_result(conversation: _Conversation, result: ToolResult) -> None:
    if conversation.results is None:
        conversation.results = Message("user", [])
        conversation.messages.append(conversation.results)
    conversation.results.parts.append(result)


_PARSERS: dict[str, Callable[[_Conversation, dict[str, Any], str], None]] = {
    "system": _system,
    "developer": _system,
    "user": _user,
    "assistant": _assistant,
    "tool": _tool,
    "function": _legacy_function,
}


@dataclass(slots=True, frozen=True)
class _Target:
    """What rendering depends on besides the message itself."""

    origin: str
    # The client spoke Chat too: keep its own shapes (part lists, cache_control).
    faithful: bool


def render_messages(request: Request, origin: str) -> list[wire.Message]:
    target = _Target(origin, faithful=request.source == "openai_chat")
    rendered: list[wire.Message] = []
    if request.system:
        rendered.append({"role": "system", "content": _system_content(request.system, target)})
    for message in request.messages:
        _RENDERERS[message.role](message, target, rendered)
    return rendered


def _system_content(parts: list[Text], target: _Target) -> str | list[wire.ContentPart]:
    # Several Chat servers accept only a string here; the part list is for Chat clients.
    if target.faithful:
        return render_content(parts, keep_cache=True)
    return "\n\n".join(part.text for part in parts if part.text)


def _render_system(message: Message, target: _Target, out: list[wire.Message]) -> None:
    texts = [part for part in message.parts if isinstance(part, Text)]
    out.append({"role": "system", "content": _system_content(texts, target)})


def _render_user(message: Message, target: _Target, out: list[wire.Message]) -> None:
    content: list[ContentPart] = []
    moved: list[ContentPart] = []
    for part in message.parts:
        if isinstance(part, ToolResult):
            out.append(_tool_message(part, target, moved))
        elif isinstance(part, Text | Image | Document):
            content.append(part)
    has_results = any(isinstance(part, ToolResult) for part in message.parts)
    if moved or content or not has_results:
        # Tool messages must directly follow the assistant turn, so the user's own
        # parts (and media the tool messages cannot hold) come after them.
        parts = moved + content
        out.append({"role": "user", "content": render_content(parts, keep_cache=target.faithful)})


def _tool_message(result: ToolResult, target: _Target, moved: list[ContentPart]) -> wire.Message:
    texts: list[ContentPart] = []
    for part in result.content:
        if isinstance(part, Text):
            texts.append(part)
        elif isinstance(part, Document) and part.text is not None:
            texts.append(Text(part.text))
        else:
            moved.append(part)
    if target.faithful:
        content = render_content(texts, keep_cache=True)
    else:
        content = "\n".join(part.text for part in texts if isinstance(part, Text))
    return {"role": "tool", "tool_call_id": result.call_id, "content": content}


def _render_assistant(message: Message, target: _Target, out: list[wire.Message]) -> None:
    texts = [part for part in message.parts if isinstance(part, Text)]
    calls = [part for part in message.parts if isinstance(part, ToolCall)]
    rendered: wire.Message = {"role": "assistant", "content": None}
    if texts or not calls:
        rendered["content"] = render_content(texts, keep_cache=target.faithful)
    reasoning = _kept_reasoning(message, target)
    if reasoning:
        rendered["reasoning_content"] = reasoning
    if calls:
        rendered["tool_calls"] = [_render_call(call) for call in calls]
    out.append(rendered)


def _kept_reasoning(message: Message, target: _Target) -> str:
    """Reasoning text the upstream may see again (Chat has no place for signatures)."""
    kept = [
        part.text
        for part in message.parts
        if isinstance(part, Thinking)
        and part.text
        and keep_for(part, target.origin, same_dialect=target.faithful)
    ]
    return "".join(kept)


def _render_call(call: ToolCall) -> wire.ToolCall:
    # An empty argument string is not JSON; servers that parse it reject it.
    function: wire.FunctionCall = {"name": call.name, "arguments": call.arguments or "{}"}
    return {"id": call.id, "type": "function", "function": function}


_RENDERERS: dict[str, Callable[[Message, _Target, list[wire.Message]], None]] = {
    "system": _render_system,
    "user": _render_user,
    "assistant": _render_assistant,
}

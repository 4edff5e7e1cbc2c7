"""GenerateContentRequest <-> ir.Request.

Deviation from the dialect contract: Gemini names the model (and streaming) in the
URL, not the body, so `parse` takes them as keywords from the route:
`parse(body, *, model="", stream=False)`.

Parsing: `contents` roles `user`/`model`; a `functionCall` with no `id` gets one from
its position (`call_<content>_<part>`), stable across a conversation's turns; a
`functionResponse` answers the call with its `id`, or else the earliest unanswered
call of its name in the latest turn that has one. Fields with no IR home
(`safetySettings`, `cachedContent`, the rest of `generationConfig` and `toolConfig`)
go to `extras`, which only a Gemini upstream receives.

Rendering: roles `user`/`model` only, consecutive same-role turns merged (tool results
of several messages become one content, as Gemini wants). System text in the middle
of the conversation has no place in `contents`; it is appended to
`systemInstruction`. Thinking is kept per `ir.reasoning.keep_for`; a model turn whose
first `functionCall` has no signature gets the documented placeholder, since Gemini 3
rejects function-call history without one.
"""

from __future__ import annotations

import re
from typing import Any

from dragoman.dialects.gemini import wire
from dragoman.dialects.gemini.config import parse_generation_config, render_generation_config
from dragoman.dialects.gemini.content import render_parts
from dragoman.dialects.gemini.fields import (
    expect_list,
    expect_object,
    expect_str,
    get,
    invalid,
    leftovers,
    optional_str,
)
from dragoman.dialects.gemini.parts import PartReader, client_signature
from dragoman.dialects.gemini.tools import parse_tool_config, parse_tools, render_tool_config, render_tools
from dragoman.dialects.ids import for_upstream
from dragoman.dialects.state import refuse_previous_response
from dragoman.ir.messages import Message, Part, Text, Thinking, ToolCall, ToolResult
from dragoman.ir.names import rule
from dragoman.ir.reasoning import account_of, keep_for
from dragoman.ir.request import Request

SKIP_SIGNATURE = "skip_thought_signature_validator"
# Gemini function names allow dots, colons and dashes too; the relay renames others (ir.names).
TOOL_NAMES = rule("a-zA-Z0-9_.:-", 64)

_ROLES: dict[str, str] = {"user": "user", "model": "assistant", "function": "user", "tool": "user"}
_HANDLED = ("contents", "systemInstruction", "tools", "toolConfig", "generationConfig", "model")
_NESTED_EXTRAS = ("generationConfig", "toolConfig")
_DIGITS = re.compile(r"\d+")


def upstream_path(model: str, stream: bool) -> str:
    if stream:
        return f"/models/{model}:streamGenerateContent?alt=sse"
    return f"/models/{model}:generateContent"


def parse(body: Any, *, model: str = "", stream: bool = False) -> Request:
    """A client's GenerateContentRequest; `model` and `stream` come from its URL."""
    body = expect_object(body, "body")
    # countTokens may wrap a whole GenerateContentRequest.
    inner = get(body, "generateContentRequest")
    if isinstance(inner, dict):
        body = inner
    request = Request(model=model or _body_model(body), stream=stream, source="gemini")
    request.messages = _parse_contents(get(body, "contents"))
    system = get(body, "systemInstruction")
    if system is not None:
        request.system = _parse_system(system, "systemInstruction")
    if (tools := get(body, "tools")) is not None:
        request.tools = parse_tools(tools, "tools")
    if (tool_config := get(body, "toolConfig")) is not None:
        request.tool_choice, rest = parse_tool_config(tool_config, "toolConfig")
        if rest:
            request.extras["toolConfig"] = rest
    if (generation := get(body, "generationConfig")) is not None:
        rest = parse_generation_config(generation, "generationConfig", request)
        if rest:
            request.extras["generationConfig"] = rest
    request.extras.update(leftovers(body, _HANDLED))
    return request


def _body_model(body: dict[str, Any]) -> str:
    model = body.get("model")
    return model.removeprefix("models/") if isinstance(model, str) else ""


def _call_id(path: str) -> str:
    return "call_" + "_".join(_DIGITS.findall(path))


class _Calls:
    """Calls made so far and not yet answered, to match results that carry no id."""

    __slots__ = ("_open",)

    def __init__(self) -> None:
        self._open: list[tuple[int, str, str]] = []  # (turn, name, call id)

    def called(self, turn: int, call: ToolCall) -> None:
        self._open.append((turn, call.name, call.id))

    def answer(self, result: ToolResult) -> str | None:
        if result.call_id:
            self._open = [entry for entry in self._open if entry[2] != result.call_id]
            return result.call_id
        named = [entry for entry in self._open if entry[1] == result.name]
        if not named:
            return None
        latest = max(turn for turn, _, _ in named)
        entry = next(entry for entry in named if entry[0] == latest)
        self._open.remove(entry)
        return entry[2]


def _parse_contents(value: object) -> list[Message]:
    if value is None:
        return []
    reader = PartReader(client_signature, _call_id)
    calls = _Calls()
    messages: list[Message] = []
    for turn, raw in enumerate(expect_list(value, "contents")):
        path = f"contents[{turn}]"
        content = expect_object(raw, path)
        role = _role(content.get("role"), f"{path}.role")
        parts: list[Part] = []
        for index, item in enumerate(expect_list(content.get("parts") or [], f"{path}.parts")):
            before = len(parts)
            reader.read(item, f"{path}.parts[{index}]", parts)
            for part in parts[before:]:
                _link(part, turn, calls, f"{path}.parts[{index}]")
        messages.append(Message(role=role, parts=parts))  # type: ignore[arg-type]
    return messages


def _role(value: object, path: str) -> str:
    """The IR role of a content's `role`; Gemini takes a missing one as the user's."""
    name = optional_str(value, path) or "user"
    role = _ROLES.get(name)
    if role is None:
        raise invalid(path, f"unknown role {name!r}")
    return role


def _link(part: Part, turn: int, calls: _Calls, path: str) -> None:
    if isinstance(part, ToolCall):
        calls.called(turn, part)
    elif isinstance(part, ToolResult):
        part.call_id = calls.answer(part) or _call_id(path)


def _parse_system(value: object, path: str) -> list[Text]:
    if isinstance(value, str):
        return [Text(value)] if value else []
    content = expect_object(value, path)
    texts: list[Text] = []
    for index, part in enumerate(expect_list(content.get("parts") or [], f"{path}.parts")):
        part_path = f"{path}.parts[{index}]"
        text = expect_str(expect_object(part, part_path).get("text"), f"{part_path}.text")
        texts.append(Text(text))
    return texts


def render(request: Request, *, model: str, origin: str) -> wire.GenerateContentRequest:
    """The GenerateContentRequest sent to a Gemini upstream (model goes in the path)."""
    refuse_previous_response(request, account_of(origin))
    request = for_upstream(request)
    same_dialect = request.source == "gemini"
    contents, late_system = _render_contents(request.messages, origin, same_dialect)
    body: dict[str, Any] = {"contents": contents}
    system: list[wire.Part] = [{"text": block.text} for block in request.system if block.text]
    if system or late_system:
        body["systemInstruction"] = {"parts": system + late_system}
    tools = render_tools(request.tools)
    if tools:
        body["tools"] = tools
        tool_config = render_tool_config(request.tool_choice) if "functionDeclarations" in tools[0] else None
        if tool_config:
            body["toolConfig"] = tool_config
    generation = render_generation_config(request, model)
    if generation:
        body["generationConfig"] = generation
    if same_dialect:
        _merge_extras(body, request.extras)
    return body  # type: ignore[return-value]


def _render_contents(
    messages: list[Message], origin: str, same_dialect: bool
) -> tuple[list[wire.Content], list[wire.Part]]:
    contents: list[wire.Content] = []
    late_system: list[wire.Part] = []
    for message in messages:
        if message.role == "system":
            late_system += [{"text": p.text} for p in message.parts if isinstance(p, Text) and p.text]
            continue
        kept = [p for p in message.parts if _kept(p, origin, same_dialect)]
        parts = render_parts(kept, _raw_signature)
        if not parts:
            continue
        role: wire.Role = "model" if message.role == "assistant" else "user"
        if contents and contents[-1]["role"] == role:
            contents[-1]["parts"] += parts
        else:
            contents.append({"role": role, "parts": parts})
    for content in contents:
        if content["role"] == "model":
            _sign_first_call(content["parts"])
    return contents, late_system


def _kept(part: Part, origin: str, same_dialect: bool) -> bool:
    return not isinstance(part, Thinking) or keep_for(part, origin, same_dialect=same_dialect)


def _raw_signature(part: Thinking) -> str | None:
    return part.signature


def _sign_first_call(parts: list[wire.Part]) -> None:
    for part in parts:
        if "functionCall" in part:
            part.setdefault("thoughtSignature", SKIP_SIGNATURE)
            return


def _merge_extras(body: dict[str, Any], extras: dict[str, Any]) -> None:
    """A Gemini client's own fields, under what dragoman rendered (which wins)."""
    for key, value in extras.items():
        if key in _NESTED_EXTRAS and isinstance(value, dict):
            body[key] = {**value, **body.get(key, {})}
        else:
            body.setdefault(key, value)

"""Output items (reasoning, message, function and custom tool calls, image generation
calls: `images`) <-> IR parts.

The same item shapes are a response's `output`, the payload of stream events, and
the assistant history a client replays in `input`, so all of them use these.
A custom (freeform) tool call's text input is the IR arguments `{"input": "..."}`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import orjson

from dragoman.dialects.ids import client_call_id
from dragoman.dialects.openai_responses import images
from dragoman.dialects.openai_responses.tools import DIALECT, flat_name, split_name
from dragoman.ir.events import Event, PartDelta, PartStart, PartStop
from dragoman.ir.ids import new_id
from dragoman.ir.messages import Image, Part, Text, Thinking, ToolCall
from dragoman.ir.reasoning import wrap_signature
from dragoman.ir.request import Request

TOOL_SEARCH = "tool_search"

# Our marker, in the item-id slot of a wrapped signature, for Anthropic redacted
# thinking: Responses has no such flag, and the data must go back as redacted.
REDACTED_ID = "redacted"


def escape(text: str) -> str:
    """`text` as the inside of a JSON string, so fragments can be streamed one by one."""
    return orjson.dumps(text)[1:-1].decode()


def custom_arguments(text: str) -> str:
    return orjson.dumps({"input": text}).decode()


def custom_input(arguments: str) -> str:
    """The freeform text of a custom tool call from its IR arguments."""
    try:
        value = orjson.loads(arguments) if arguments else {}
    except orjson.JSONDecodeError:
        return arguments
    text = value.get("input") if isinstance(value, dict) else None
    return text if isinstance(text, str) else arguments


def is_custom(name: str, request: Request | None) -> bool:
    tool = request.tool(name) if request is not None else None
    return tool is not None and tool.type == "custom"


def is_tool_search(name: str, request: Request | None) -> bool:
    """Whether `name` is the request's client-run `tool_search` (Codex), called by item."""
    tool = request.tool(name) if request is not None else None
    return tool is not None and tool.type == "native" and (tool.raw or {}).get("type") == TOOL_SEARCH


def is_client_call(item: dict[str, Any]) -> bool:
    """Calls the client runs: functions, custom tools, and tool search run by the client."""
    kind = item.get("type")
    return kind in ("function_call", "custom_tool_call") or (
        kind == "tool_search_call" and item.get("execution") == "client"
    )


# --- items -> parts ----------------------------------------------------------------


def reasoning_text(item: dict[str, Any]) -> str:
    """The summary text of a reasoning item, or its raw reasoning text when unsummarised."""
    for key, kind in (("summary", "summary_text"), ("content", "reasoning_text")):
        parts = item.get(key)
        if isinstance(parts, list):
            texts = [
                p["text"]
                for p in parts
                if isinstance(p, dict) and p.get("type") == kind and isinstance(p.get("text"), str)
            ]
            if texts:
                return "\n\n".join(texts)
    return ""


def call_part(item: dict[str, Any]) -> ToolCall:
    """The IR call of a `function_call`, `custom_tool_call` or client `tool_search_call` item."""
    name = flat_name(item.get("namespace"), str(item.get("name") or ""))
    if item.get("type") == "tool_search_call":
        name = TOOL_SEARCH
    call_id = str(item.get("call_id") or item.get("id") or "")
    if item.get("type") == "custom_tool_call":
        return ToolCall(id=call_id, name=name, arguments=custom_arguments(str(item.get("input") or "")))
    arguments = item.get("arguments")
    if not isinstance(arguments, str):
        arguments = "" if arguments is None else orjson.dumps(arguments).decode()
    return ToolCall(id=call_id, name=name, arguments=arguments)


def message_texts(item: dict[str, Any]) -> list[tuple[str, bool]]:
    """`(text, is_refusal)` of each content part of an output message."""
    content = item.get("content")
    if isinstance(content, str):
        return [(content, False)]
    texts = []
    for part in content if isinstance(content, list) else []:
        if isinstance(part, dict) and part.get("type") == "refusal":
            texts.append((str(part.get("refusal") or ""), True))
        elif isinstance(part, dict) and isinstance(part.get("text"), str):
            texts.append((part["text"], False))
    return texts


def output_parts(item: dict[str, Any], origin: str) -> list[Part]:
    """The IR parts an upstream's output item holds (none for hosted-tool items)."""
    kind = item.get("type")
    if kind == "message":
        return [Text(text) for text, _ in message_texts(item)]
    if kind == "reasoning":
        signature = item.get("encrypted_content")
        return [
            Thinking(
                text=reasoning_text(item),
                signature=signature if isinstance(signature, str) else None,
                id=item.get("id") if isinstance(item.get("id"), str) else None,
                origin=origin,
            )
        ]
    if is_client_call(item):
        return [call_part(item)]
    image = images.image_part(item) if kind == images.KIND else None
    return [image] if image is not None else []


def part_events(index: int, part: Part) -> Iterator[Event]:
    """The stream events of one whole part (for answers that arrive whole)."""
    if isinstance(part, Text):
        yield PartStart(index, Text(""))
        if part.text:
            yield PartDelta(index, text=part.text)
    elif isinstance(part, Thinking):
        yield PartStart(index, Thinking(id=part.id, origin=part.origin))
        if part.text:
            yield PartDelta(index, text=part.text)
        if part.signature:
            yield PartDelta(index, signature=part.signature)
    elif isinstance(part, ToolCall):
        yield PartStart(index, ToolCall(id=part.id, name=part.name))
        if part.arguments:
            yield PartDelta(index, text=part.arguments)
    elif isinstance(part, Image):
        yield PartStart(index, part)  # an image arrives whole
    yield PartStop(index)


# --- parts -> items ----------------------------------------------------------------


def output_text(text: str) -> dict[str, Any]:
    return {"type": "output_text", "text": text, "annotations": [], "logprobs": []}


def message_item(item_id: str, texts: list[str], status: str = "completed") -> dict[str, Any]:
    return {
        "type": "message",
        "id": item_id,
        "role": "assistant",
        "status": status,
        "content": [output_text(text) for text in texts],
    }


def client_signature(part: Thinking) -> str | None:
    """The `encrypted_content` a client receives: the signature tagged with its origin."""
    if part.redacted and part.origin is not None:
        return wrap_signature(Thinking(signature=part.signature, id=REDACTED_ID, origin=part.origin))
    return wrap_signature(part)


def reasoning_item(
    item_id: str, part: Thinking, *, signature: str | None, status: str = "completed"
) -> dict[str, Any]:
    summary = [{"type": "summary_text", "text": part.text}] if part.text else []
    item: dict[str, Any] = {"type": "reasoning", "id": item_id, "summary": summary, "status": status}
    if signature is not None:
        item["encrypted_content"] = signature
    return item


def call_item(
    item_id: str | None, part: ToolCall, request: Request | None, status: str = "completed"
) -> dict[str, Any]:
    """A `function_call`, or a `custom_tool_call` when the request declared the tool custom."""
    if is_tool_search(part.name, request):
        return _tool_search_item(item_id, part, status)
    namespace, name = split_name(part.name, request)
    custom = is_custom(part.name, request)
    item: dict[str, Any] = {"type": "custom_tool_call" if custom else "function_call"}
    if item_id is not None:
        item["id"] = item_id
    item["call_id"] = part.id
    item["name"] = name
    if namespace:
        item["namespace"] = namespace
    if custom:
        item["input"] = custom_input(part.arguments)
    else:
        item["arguments"] = part.arguments
    if status:
        item["status"] = status
    return item


def _tool_search_item(item_id: str | None, part: ToolCall, status: str) -> dict[str, Any]:
    item: dict[str, Any] = {"type": "tool_search_call"}
    if item_id is not None:
        item["id"] = item_id
    item.update(call_id=part.id, execution="client", arguments=part.arguments_object())
    if status:
        item["status"] = status
    return item


def call_item_id(part: ToolCall, request: Request | None) -> str:
    if is_tool_search(part.name, request):
        return new_id("tsc_")
    return new_id("ctc_" if is_custom(part.name, request) else "fc_")


def render_output(parts: list[Part], request: Request | None) -> list[dict[str, Any]]:
    """A response's `output`: runs of text parts share one message item."""
    output: list[dict[str, Any]] = []
    texts: list[str] = []
    for part in parts:
        if isinstance(part, Text):
            texts.append(part.text)
            continue
        if texts:
            output.append(message_item(new_id("msg_"), texts))
            texts = []
        if isinstance(part, Thinking):
            output.append(reasoning_item(part.id or new_id("rs_"), part, signature=client_signature(part)))
        elif isinstance(part, ToolCall):
            shown = replace(part, id=client_call_id(part.id, DIALECT))
            output.append(call_item(call_item_id(part, request), shown, request))
        elif isinstance(part, Image) and images.drawn(part):
            output.append(images.image_item(new_id("ig_"), part))
    if texts:
        output.append(message_item(new_id("msg_"), texts))
    return output

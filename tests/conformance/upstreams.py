"""Reading a fake upstream's recorded request in that upstream's own wire format.

One view per upstream dialect answers the same questions: where is the system text, which
images did the user send, which tool calls and results does the history hold, which
reasoning tokens came back. `answered` then pairs results with calls the way that
upstream does (by id, or by name for Gemini).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import orjson

from tests.conformance.scenario import Call

Body = dict[str, Any]
SKIP_SIGNATURE = "skip_thought_signature_validator"


@dataclass(slots=True)
class Result:
    call_id: str | None
    name: str | None
    text: str


class View(Protocol):
    def tools(self, body: Body) -> list[str]: ...
    def system(self, body: Body) -> str: ...
    def images(self, body: Body) -> list[tuple[str, str]]: ...
    def calls(self, body: Body) -> list[Call]: ...
    def results(self, body: Body) -> list[Result]: ...
    def signatures(self, body: Body) -> list[str]: ...
    def reasoning_asked(self, body: Body) -> bool: ...


def _texts(content: Any, kinds: tuple[str, ...] = ("text",)) -> str:
    """The text of a string or of a list of typed text parts."""
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") for part in content or [] if part.get("type") in kinds)


def _data_url(url: str) -> tuple[str, str]:
    head, _, data = url.partition(",")
    return head.removeprefix("data:").removesuffix(";base64"), data


class OpenAIChatView:
    def tools(self, body: Body) -> list[str]:
        return [tool["function"]["name"] for tool in body.get("tools") or []]

    def system(self, body: Body) -> str:
        return "".join(
            _texts(m["content"]) for m in _leading(body["messages"], "role", ("system", "developer"))
        )

    def images(self, body: Body) -> list[tuple[str, str]]:
        return [
            _data_url(part["image_url"]["url"])
            for message in body["messages"]
            if message["role"] == "user" and isinstance(message["content"], list)
            for part in message["content"]
            if part["type"] == "image_url"
        ]

    def calls(self, body: Body) -> list[Call]:
        return [
            Call(call["id"], call["function"]["name"], orjson.loads(call["function"]["arguments"]))
            for message in body["messages"]
            if message["role"] == "assistant"
            for call in message.get("tool_calls") or []
        ]

    def results(self, body: Body) -> list[Result]:
        return [
            Result(message["tool_call_id"], None, _texts(message["content"]))
            for message in body["messages"]
            if message["role"] == "tool"
        ]

    def signatures(self, body: Body) -> list[str]:
        return []  # Chat Completions has no reasoning tokens on the wire

    def reasoning_asked(self, body: Body) -> bool:
        return "reasoning_effort" in body


class OpenAIResponsesView:
    def tools(self, body: Body) -> list[str]:
        return [tool["name"] for tool in body.get("tools") or [] if tool["type"] == "function"]

    def system(self, body: Body) -> str:
        items = _leading(_items(body), "role", ("system", "developer"))
        leading = "".join(_texts(item["content"], ("input_text",)) for item in items)
        return (body.get("instructions") or "") + leading

    def images(self, body: Body) -> list[tuple[str, str]]:
        return [
            _data_url(part["image_url"])
            for item in _items(body)
            if item.get("role") == "user" and isinstance(item.get("content"), list)
            for part in item["content"]
            if part["type"] == "input_image"
        ]

    def calls(self, body: Body) -> list[Call]:
        return [
            Call(item["call_id"], item["name"], orjson.loads(item["arguments"]))
            for item in _items(body)
            if item.get("type") == "function_call"
        ]

    def results(self, body: Body) -> list[Result]:
        return [
            Result(item["call_id"], None, _texts(item["output"], ("input_text",)))
            for item in _items(body)
            if item.get("type") == "function_call_output"
        ]

    def signatures(self, body: Body) -> list[str]:
        return [
            item["encrypted_content"]
            for item in _items(body)
            if item.get("type") == "reasoning" and item.get("encrypted_content")
        ]

    def reasoning_asked(self, body: Body) -> bool:
        return bool(body.get("reasoning"))


class AnthropicView:
    def tools(self, body: Body) -> list[str]:
        return [tool["name"] for tool in body.get("tools") or []]

    def system(self, body: Body) -> str:
        return _texts(body.get("system") or "")

    def images(self, body: Body) -> list[tuple[str, str]]:
        return [
            (block["source"]["media_type"], block["source"]["data"])
            for block in _blocks(body, "user")
            if block["type"] == "image" and block["source"]["type"] == "base64"
        ]

    def calls(self, body: Body) -> list[Call]:
        return [
            Call(block["id"], block["name"], block["input"])
            for block in _blocks(body, "assistant")
            if block["type"] == "tool_use"
        ]

    def results(self, body: Body) -> list[Result]:
        return [
            Result(block["tool_use_id"], None, _texts(block.get("content") or ""))
            for block in _blocks(body, "user")
            if block["type"] == "tool_result"
        ]

    def signatures(self, body: Body) -> list[str]:
        return [
            block.get("signature") or block.get("data")
            for block in _blocks(body, "assistant")
            if block["type"] in ("thinking", "redacted_thinking")
        ]

    def reasoning_asked(self, body: Body) -> bool:
        return (body.get("thinking") or {}).get("type") in ("enabled", "adaptive")


class GeminiView:
    """The REST API takes camelCase and snake_case alike; both are read."""

    def tools(self, body: Body) -> list[str]:
        return [
            declaration["name"]
            for tool in body.get("tools") or []
            for declaration in _get(tool, "functionDeclarations") or []
        ]

    def system(self, body: Body) -> str:
        instruction = _get(body, "systemInstruction") or {}
        return "".join(part.get("text", "") for part in instruction.get("parts", []))

    def images(self, body: Body) -> list[tuple[str, str]]:
        return [
            (_get(inline, "mimeType"), inline["data"])
            for part in _parts(body, "user")
            if (inline := _get(part, "inlineData")) is not None
        ]

    def calls(self, body: Body) -> list[Call]:
        return [
            Call(call.get("id"), call["name"], call.get("args") or {})
            for part in _parts(body, "model")
            if (call := _get(part, "functionCall")) is not None
        ]

    def results(self, body: Body) -> list[Result]:
        return [
            Result(answer.get("id"), answer["name"], orjson.dumps(answer.get("response")).decode())
            for part in _parts(body, "user")
            if (answer := _get(part, "functionResponse")) is not None
        ]

    def signatures(self, body: Body) -> list[str]:
        """Real signatures; Google's documented placeholder for calls it did not sign is none."""
        return [
            signature
            for content in _get(body, "contents") or []
            for part in content.get("parts", [])
            if (signature := _get(part, "thoughtSignature")) and signature != SKIP_SIGNATURE
        ]

    def reasoning_asked(self, body: Body) -> bool:
        config = _get(body, "generationConfig") or {}
        return _get(config, "thinkingConfig") is not None


VIEWS: dict[str, View] = {
    "openai_chat": OpenAIChatView(),
    "openai_responses": OpenAIResponsesView(),
    "anthropic": AnthropicView(),
    "gemini": GeminiView(),
}


def answered(view: View, body: Body) -> dict[str, str]:
    """Tool name -> result text, each result paired with its call as the upstream pairs them."""
    calls = view.calls(body)
    by_id = {call.id: call for call in calls if call.id is not None}
    pairs: dict[str, str] = {}
    for result in view.results(body):
        if result.call_id is not None and result.call_id in by_id:
            call = by_id[result.call_id]
            assert result.name in (None, call.name), f"result for {call.name} named {result.name}"
            name = call.name
        else:
            assert result.call_id is None or not by_id, f"result for unknown call {result.call_id}"
            assert result.name is not None, "a result that names no call"
            name = result.name
        assert name not in pairs, f"two results for {name}"
        pairs[name] = result.text
    return pairs


def _get(data: Any, camel: str) -> Any:
    snake = "".join("_" + c.lower() if c.isupper() else c for c in camel)
    return data.get(camel, data.get(snake)) if isinstance(data, dict) else None


def _leading(items: list[Any], key: str, values: tuple[str, ...]) -> Iterator[Any]:
    for item in items:
        if not isinstance(item, dict) or item.get(key) not in values:
            return
        yield item


def _items(body: Body) -> list[Any]:
    items = body.get("input") or []
    return [{"role": "user", "content": items}] if isinstance(items, str) else items


def _blocks(body: Body, role: str) -> Iterator[dict[str, Any]]:
    for message in body["messages"]:
        if message["role"] == role:
            content = message["content"]
            yield from [{"type": "text", "text": content}] if isinstance(content, str) else content


def _parts(body: Body, role: str) -> Iterator[dict[str, Any]]:
    for content in _get(body, "contents") or []:
        if content.get("role", "user") == role:
            yield from content.get("parts", [])

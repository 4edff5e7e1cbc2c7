"""The official `anthropic` SDK reads what this dialect renders, and sends what it parses.

The SDK talks to an in-process handler through a mock transport (anthropic 2.x is built
on `httpx2`, so the transport is httpx2's): the handler parses the SDK's request with
`request.parse` and answers with this dialect's renderers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import anthropic
import httpx2
import orjson
import pytest

from dragoman.dialects.anthropic import error, request, response, stream
from dragoman.ir import errors
from dragoman.ir.events import Event, StreamError
from dragoman.ir.messages import Text, Thinking, ToolCall
from dragoman.ir.request import Request
from dragoman.ir.response import Response, replay
from dragoman.ir.usage import Usage

ANSWER = Response(
    id="msg_sdk",
    model="claude-test",
    parts=[
        Thinking("First, the weather.", "SIG", origin="claude"),
        Text("Let me check."),
        ToolCall("toolu_1", "get_weather", '{"city": "Paris", "days": [1, 2]}'),
    ],
    stop_reason="tool_use",
    usage=Usage(input_tokens=120, output_tokens=30, cache_read_tokens=100, reasoning_tokens=10),
)

Events = Callable[[], Iterator[Event]]


def client(answer: Events, seen: list[Request]) -> anthropic.Anthropic:
    def handle(sent: httpx2.Request) -> httpx2.Response:
        parsed = request.parse(orjson.loads(sent.content))
        seen.append(parsed)
        if not parsed.stream:
            return httpx2.Response(200, json=response.render(ANSWER, parsed))
        renderer = stream.Renderer(parsed)
        body = b"".join(renderer.render(event) for event in answer())
        return httpx2.Response(200, headers={"content-type": "text/event-stream"}, content=body)

    transport = httpx2.MockTransport(handle)
    return anthropic.Anthropic(
        api_key="test",
        base_url="http://gateway.test",
        max_retries=0,
        http_client=httpx2.Client(transport=transport),
    )


def ask(sdk: anthropic.Anthropic) -> anthropic.lib.streaming.MessageStreamManager:  # type: ignore[name-defined]
    return sdk.messages.stream(
        model="claude-test",
        max_tokens=2048,
        thinking={"type": "enabled", "budget_tokens": 1024},
        tools=[{"name": "get_weather", "input_schema": {"type": "object", "properties": {}}}],
        messages=[{"role": "user", "content": "Weather in Paris?"}],
    )


def test_the_sdk_stream_builds_the_final_message() -> None:
    seen: list[Request] = []
    with ask(client(lambda: replay(ANSWER), seen)) as sdk_stream:
        texts = list(sdk_stream.text_stream)
        final = sdk_stream.get_final_message()
    assert seen[0].reasoning is not None and seen[0].reasoning.budget_tokens == 1024
    assert texts == ["Let me check."]
    thinking, text, call = final.content
    assert (thinking.type, thinking.thinking, thinking.signature) == (
        "thinking",
        "First, the weather.",
        "dgm2~claude~~SIG",
    )
    assert text.text == "Let me check."
    assert (call.type, call.id, call.name, call.input) == (
        "tool_use",
        "toolu_1",
        "get_weather",
        {"city": "Paris", "days": [1, 2]},
    )
    assert final.stop_reason == "tool_use"
    assert (final.usage.input_tokens, final.usage.cache_read_input_tokens, final.usage.output_tokens) == (
        20,
        100,
        30,
    )


def test_the_signature_the_sdk_kept_goes_back_to_its_upstream() -> None:
    seen: list[Request] = []
    sdk = client(lambda: replay(ANSWER), seen)
    with ask(sdk) as sdk_stream:
        final = sdk_stream.get_final_message()
    sdk.messages.create(
        model="claude-test",
        max_tokens=2048,
        messages=[
            {"role": "user", "content": "Weather in Paris?"},
            {
                "role": "assistant",
                "content": [block.model_dump(exclude_none=True) for block in final.content],
            },
            {
                "role": "user",
                "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "sunny"}],
            },
        ],
    )
    body = request.render(seen[1], model="claude-test", origin="claude")
    assert body["messages"][1]["content"][0] == {
        "type": "thinking",
        "thinking": "First, the weather.",
        "signature": "SIG",
    }


def test_the_sdk_reads_a_whole_message() -> None:
    seen: list[Request] = []
    message = client(lambda: replay(ANSWER), seen).messages.create(
        model="claude-test", max_tokens=64, messages=[{"role": "user", "content": "hi"}]
    )
    assert [block.type for block in message.content] == ["thinking", "text", "tool_use"]
    assert message.content[2].input == {"city": "Paris", "days": [1, 2]}
    assert message.usage.output_tokens == 30


def test_an_in_stream_error_reaches_the_sdk_as_an_api_error() -> None:
    def failing() -> Iterator[Event]:
        events = list(replay(ANSWER))
        yield from events[:4]
        yield StreamError(errors.UpstreamOverloaded("Overloaded"))

    with pytest.raises(anthropic.APIStatusError) as caught, ask(client(failing, [])) as sdk_stream:
        sdk_stream.get_final_message()
    assert caught.value.body == {
        "type": "error",
        "error": {"type": "overloaded_error", "message": "Overloaded"},
    }


def test_an_error_answer_reaches_the_sdk_with_its_class() -> None:
    def handle(sent: httpx2.Request) -> httpx2.Response:
        status, body = error.render(errors.UpstreamOverloaded("Overloaded"))
        return httpx2.Response(status, json=body)

    sdk = anthropic.Anthropic(
        api_key="test",
        base_url="http://gateway.test",
        max_retries=0,
        http_client=httpx2.Client(transport=httpx2.MockTransport(handle)),
    )
    with pytest.raises(anthropic.OverloadedError):
        sdk.messages.create(model="m", max_tokens=5, messages=[{"role": "user", "content": "hi"}])

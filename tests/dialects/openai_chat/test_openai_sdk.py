"""What dragoman renders, read by the official `openai` SDK: its parsing is the judge.

Bytes go to the SDK through a mock transport; nothing touches the network.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from typing import Any

import openai
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dragoman.dialects.openai_chat import error as chat_error
from dragoman.dialects.openai_chat import response as chat_response
from dragoman.dialects.openai_chat.stream import Renderer
from dragoman.ir.errors import GatewayError, ModelNotFound, RateLimited, UpstreamError
from dragoman.ir.events import Event, PartDelta, PartStart, PartStop, Start, Stop, StreamError
from dragoman.ir.messages import Text, Thinking, ToolCall
from dragoman.ir.request import Request
from dragoman.ir.response import Response, replay
from dragoman.ir.usage import Usage
from tests.dialects.openai_chat.strategies import streamed_responses

# Newer SDKs are built on httpx2 and still accept a legacy httpx client.
http: Any = importlib.import_module("httpx2" if importlib.util.find_spec("httpx2") else "httpx")

MODEL = "client-model"
RESPONSE = Response(
    id="chatcmpl-xyz",
    model=MODEL,
    parts=[
        Thinking("Let me look.", origin="up"),
        Text("Reading both."),
        ToolCall("call_a", "read", '{"path":"a.txt"}'),
        ToolCall("call_b", "read", '{"path":"b.txt"}'),
    ],
    stop_reason="tool_use",
    usage=Usage(input_tokens=50, output_tokens=20, cache_read_tokens=10, reasoning_tokens=5),
)


def client_for(answer: Callable[[Any], Any]) -> Any:
    transport = http.MockTransport(answer)
    return openai.OpenAI(
        api_key="test",
        base_url="http://gateway.test/v1",
        http_client=http.Client(transport=transport),
        max_retries=0,
    )


def streaming(events: Iterator[Event] | list[Event]) -> Any:
    def answer(request: Any) -> Any:
        sent = orjson.loads(request.content)
        renderer = Renderer(
            Request(model=sent["model"], stream=True, include_usage=bool(sent.get("stream_options")))
        )
        body = b"".join(renderer.render(event) for event in events)
        return http.Response(200, headers={"content-type": "text/event-stream"}, content=body)

    return client_for(answer)


def create_stream(client: Any, *, include_usage: bool = True) -> list[Any]:
    options = {"include_usage": True} if include_usage else None
    stream = client.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": "go"}], stream=True, stream_options=options
    )
    return list(stream)


def test_stream_chunks_as_the_sdk_reads_them() -> None:
    chunks = create_stream(streaming(replay(RESPONSE)))
    assert {(chunk.id, chunk.model, chunk.object) for chunk in chunks} == {
        ("chatcmpl-xyz", MODEL, "chat.completion.chunk")
    }
    first = chunks[0].choices[0].delta
    assert (first.role, first.content) == ("assistant", "")
    reasoning = "".join(
        (chunk.choices[0].delta.model_extra or {}).get("reasoning_content", "")
        for chunk in chunks
        if chunk.choices
    )
    assert reasoning == "Let me look."
    text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices)
    assert text == "Reading both."
    calls: dict[int, dict[str, str]] = {}
    for chunk in chunks:
        for call in (chunk.choices[0].delta.tool_calls or []) if chunk.choices else []:
            slot = calls.setdefault(call.index, {"id": "", "name": "", "arguments": ""})
            slot["id"] += call.id or ""
            slot["name"] += call.function.name or ""
            slot["arguments"] += call.function.arguments or ""
    assert calls == {
        0: {"id": "call_a", "name": "read", "arguments": '{"path":"a.txt"}'},
        1: {"id": "call_b", "name": "read", "arguments": '{"path":"b.txt"}'},
    }
    assert chunks[-2].choices[0].finish_reason == "tool_calls"
    usage = chunks[-1].usage
    assert chunks[-1].choices == []
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (50, 20, 70)
    assert usage.prompt_tokens_details.cached_tokens == 10
    assert usage.completion_tokens_details.reasoning_tokens == 5


def test_stream_helper_accumulates_the_same_message() -> None:
    """`chat.completions.stream()` folds chunks itself and checks their order on the way."""
    client = streaming(replay(RESPONSE))
    messages = [{"role": "user", "content": "go"}]
    options = {"include_usage": True}
    with client.chat.completions.stream(model=MODEL, messages=messages, stream_options=options) as stream:
        final = stream.get_final_completion()
    message = final.choices[0].message
    assert message.content == "Reading both."
    assert [(call.id, call.function.name, call.function.arguments) for call in message.tool_calls] == [
        (call.id, call.name, call.arguments) for call in RESPONSE.tool_calls()
    ]
    assert final.choices[0].finish_reason == "tool_calls"
    assert final.usage.total_tokens == 70


def test_stream_helper_reads_interleaved_parallel_calls() -> None:
    """An upstream that streams two calls at once: the helper still gets each call whole."""
    events: list[Event] = [
        Start("chatcmpl-xyz", MODEL),
        PartStart(0, ToolCall("call_a", "read")),
        PartStart(1, ToolCall("call_b", "read")),
        PartDelta(0, '{"path":'),
        PartDelta(1, '{"path":"b.txt"}'),
        PartDelta(0, '"a.txt"}'),
        PartStop(0),
        PartStop(1),
        Stop("tool_use"),
    ]
    # With strict tools the helper JSON-parses each call's arguments once it takes the call as done.
    schema = {
        "type": "object",
        "properties": {"path": {"type": "string"}},
        "required": ["path"],
        "additionalProperties": False,
    }
    tools = [{"type": "function", "function": {"name": "read", "parameters": schema, "strict": True}}]
    messages = [{"role": "user", "content": "go"}]
    with streaming(events).chat.completions.stream(model=MODEL, messages=messages, tools=tools) as s:
        final = s.get_final_completion()
    calls = final.choices[0].message.tool_calls
    assert [(call.id, call.function.parsed_arguments) for call in calls] == [
        ("call_a", {"path": "a.txt"}),
        ("call_b", {"path": "b.txt"}),
    ]


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_any_streamed_response_reads_back_through_the_sdk(data: st.DataObject) -> None:
    response = data.draw(streamed_responses(MODEL))
    chunks = create_stream(streaming(replay(response)))
    text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices)
    assert text == response.text()
    ids = [
        call.id
        for chunk in chunks
        if chunk.choices
        for call in chunk.choices[0].delta.tool_calls or []
        if call.id
    ]
    assert ids == [call.id for call in response.tool_calls()]
    assert chunks[-1].usage.prompt_tokens == response.usage.input_tokens


def test_stream_error_raises_in_the_sdk() -> None:
    events: list[Event] = [
        Start("i", MODEL),
        PartStart(0, Text("")),
        PartDelta(0, "par"),
        StreamError(RateLimited("slow down")),
    ]
    with pytest.raises(openai.APIError) as caught:
        create_stream(streaming(events))
    assert caught.value.message == "slow down"
    assert caught.value.body["type"] == "rate_limit_error"


def test_whole_completion_as_the_sdk_reads_it() -> None:
    def answer(request: Any) -> Any:
        sent = orjson.loads(request.content)
        return http.Response(200, json=chat_response.render(RESPONSE, Request(model=sent["model"])))

    completion = client_for(answer).chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": "go"}]
    )
    assert (completion.id, completion.model, completion.object) == ("chatcmpl-xyz", MODEL, "chat.completion")
    message = completion.choices[0].message
    assert message.content == "Reading both."
    assert (message.model_extra or {}).get("reasoning_content") == "Let me look."
    assert [(call.id, call.function.name) for call in message.tool_calls] == [
        ("call_a", "read"),
        ("call_b", "read"),
    ]
    assert completion.choices[0].finish_reason == "tool_calls"
    assert completion.usage.prompt_tokens_details.cached_tokens == 10


@pytest.mark.parametrize(
    ("error", "sdk_error"),
    [
        (RateLimited("slow down", retry_after=2), "RateLimitError"),
        (ModelNotFound("no model x"), "NotFoundError"),
        (UpstreamError("upstream broke"), "InternalServerError"),
    ],
)
def test_errors_as_the_sdk_reads_them(error: GatewayError, sdk_error: str) -> None:
    def answer(request: Any) -> Any:
        status, body = chat_error.render(error)
        return http.Response(status, json=body)

    with pytest.raises(getattr(openai, sdk_error)) as caught:
        client_for(answer).chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "go"}])
    status, body = chat_error.render(error)
    assert caught.value.status_code == status
    assert caught.value.body == body["error"]
    assert (caught.value.code, caught.value.type) == (body["error"]["code"], body["error"]["type"])
    assert error.message in caught.value.message

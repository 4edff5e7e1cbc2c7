"""What we render, read by the official `openai` SDK through an in-process transport.

The SDK's `responses.stream()` helper rebuilds the response from the events and
checks their identities; asserting through it catches shapes the wire tests cannot.
"""

from __future__ import annotations

import httpx
import openai
import orjson
import pytest

from dragoman.dialects.openai_responses import error, request, response, stream
from dragoman.ir import Response, Text, Thinking, ToolCall, Usage
from dragoman.ir.errors import RateLimited
from dragoman.ir.events import PartDelta, PartStart, Start, StreamError
from dragoman.ir.response import replay

BODY = {
    "model": "gpt-5",
    "input": "What is the weather in Paris?",
    "tools": [
        {"type": "function", "name": "get_weather", "parameters": {"type": "object", "properties": {}}},
        {"type": "custom", "name": "apply_patch"},
    ],
}
ANSWER = Response(
    id="resp_sdk",
    model="gpt-5",
    parts=[
        Thinking(text="Look it up.", signature="ENC", id="rs_1", origin="openai"),
        Text("Checking."),
        ToolCall("call_1", "get_weather", '{"city":"Paris"}'),
        ToolCall("call_2", "apply_patch", '{"input":"*** Begin Patch"}'),
    ],
    stop_reason="tool_use",
    usage=Usage(input_tokens=20, output_tokens=10, cache_read_tokens=5, reasoning_tokens=4),
)


def client_for(handler: object) -> openai.OpenAI:
    transport = httpx.MockTransport(handler)  # type: ignore[arg-type]
    return openai.OpenAI(
        api_key="test", base_url="http://gateway.test/v1", http_client=httpx.Client(transport=transport)
    )


def serve(events: list[object]) -> openai.OpenAI:
    """A client whose every request is parsed as ours would be, and answered with `events`."""

    def handler(http_request: httpx.Request) -> httpx.Response:
        parsed = request.parse(orjson.loads(http_request.content))
        if not parsed.stream:
            return httpx.Response(200, json=response.render(ANSWER, parsed))
        renderer = stream.Renderer(parsed)
        body = b"".join(renderer.render(event) for event in events)  # type: ignore[arg-type]
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body)

    return client_for(handler)


def test_stream_helper_builds_the_final_response() -> None:
    client = serve(list(replay(ANSWER)))
    with client.responses.stream(**BODY) as events:  # type: ignore[arg-type]
        deltas = [event.delta for event in events if event.type == "response.output_text.delta"]
        final = events.get_final_response()
    assert deltas == ["Checking."]
    assert final.id == "resp_sdk" and final.status == "completed"
    assert final.output_text == "Checking."
    reasoning, message, call, custom = final.output
    assert reasoning.type == "reasoning" and reasoning.summary[0].text == "Look it up."
    assert reasoning.encrypted_content == "dgm2~openai~rs_1~ENC"
    assert message.type == "message"
    assert (call.type, call.call_id, call.name, call.arguments) == (
        "function_call",
        "call_1",
        "get_weather",
        '{"city":"Paris"}',
    )
    assert (custom.type, custom.call_id, custom.input) == ("custom_tool_call", "call_2", "*** Begin Patch")
    assert final.usage is not None
    assert (
        final.usage.input_tokens,
        final.usage.input_tokens_details.cached_tokens,
        final.usage.total_tokens,
    ) == (20, 5, 30)


def test_create_parses_the_non_streamed_response() -> None:
    result = serve([]).responses.create(**BODY)  # type: ignore[arg-type]
    assert result.id == "resp_sdk" and result.status == "completed"
    assert result.output_text == "Checking."
    assert [item.type for item in result.output] == [
        "reasoning",
        "message",
        "function_call",
        "custom_tool_call",
    ]


def test_failed_stream_reaches_the_sdk_as_response_failed() -> None:
    client = serve(
        [
            Start("resp_f", "gpt-5"),
            PartStart(0, Text("")),
            PartDelta(0, "Par"),
            StreamError(RateLimited("Slow down")),
        ]
    )
    with client.responses.stream(**BODY) as events:  # type: ignore[arg-type]
        received = list(events)
        with pytest.raises(RuntimeError, match=r"response\.completed"):
            events.get_final_response()
    failed = received[-1]
    assert failed.type == "response.failed"
    assert failed.response.status == "failed"
    assert failed.response.error is not None and failed.response.error.message == "Slow down"


def test_incomplete_stream_reaches_the_sdk_as_response_incomplete() -> None:
    answer = Response(id="resp_i", model="gpt-5", parts=[Text("cut")], stop_reason="max_tokens")
    with serve(list(replay(answer))).responses.stream(**BODY) as events:  # type: ignore[arg-type]
        last = list(events)[-1]
    assert last.type == "response.incomplete"
    assert last.response.incomplete_details is not None
    assert last.response.incomplete_details.reason == "max_output_tokens"
    assert last.response.output[0].content[0].text == "cut"


def test_error_body_is_raised_by_the_sdk_with_its_status() -> None:
    def handler(http_request: httpx.Request) -> httpx.Response:
        status, body = error.render(RateLimited("Too many requests"))
        return httpx.Response(status, json=body)

    client = client_for(handler).with_options(max_retries=0)
    with pytest.raises(openai.RateLimitError) as caught:
        client.responses.create(**BODY)  # type: ignore[arg-type]
    assert caught.value.status_code == 429
    assert "Too many requests" in str(caught.value)


def test_stream_helper_accepts_tool_search_and_namespaced_calls() -> None:
    body = {
        **BODY,
        "tools": [
            {"type": "tool_search", "execution": "client"},
            {
                "type": "namespace",
                "name": "clock",
                "description": "",
                "tools": [{"type": "function", "name": "sleep"}],
            },
        ],
    }
    answer = Response(
        id="resp_ts",
        model="gpt-5",
        parts=[
            ToolCall("call_ts1", "tool_search", '{"query":"q"}'),
            ToolCall("call_c1", "clock__sleep", '{"ms":1}'),
        ],
        stop_reason="tool_use",
    )
    with serve(list(replay(answer))).responses.stream(**body) as events:  # type: ignore[arg-type]
        final = events.get_final_response()
    search, sleep = final.output
    assert (search.type, search.call_id, search.execution, search.arguments) == (
        "tool_search_call",
        "call_ts1",
        "client",
        {"query": "q"},
    )
    assert (sleep.type, sleep.name, sleep.namespace, sleep.arguments) == (
        "function_call",
        "sleep",
        "clock",
        '{"ms":1}',
    )

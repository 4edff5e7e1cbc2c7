"""The official google-genai SDK reads what dragoman renders, and dragoman reads what it sends.

The SDK talks to an in-process httpx.MockTransport (HttpOptions accepts our own httpx
clients) whose handler plays the gateway: it parses the SDK's request with
`request.parse` and answers with `response.render` / `stream.Renderer` / `error.render`.
Asserted through the SDK's own types rather than on the wire, since the point is that
a real client accepts the bytes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import httpx
import orjson
import pytest
from google import genai
from google.genai import errors as genai_errors
from google.genai import types

from dragoman.dialects.gemini import error, request, response, stream
from dragoman.ir import Request, Response, Text, Thinking, ToolCall, ToolResult, Usage
from dragoman.ir.errors import GatewayError, RateLimited
from dragoman.ir.events import StreamError
from dragoman.ir.response import replay

ROUTE = re.compile(r"/models/([^:]+):(\w+)")

ANSWER = Response(
    id="resp_42",
    model="claude-sonnet-4-5",
    parts=[
        Thinking("The user wants weather.", signature="EqQBCkgIBx", origin="claude"),
        Text("Checking."),
        Thinking("", signature="CiQBVKhc", origin="gemini"),
        ToolCall("toolu_01", "get_weather", '{"city": "Paris", "units": ["c"]}'),
    ],
    stop_reason="tool_use",
    usage=Usage(input_tokens=40, output_tokens=25, cache_read_tokens=8, reasoning_tokens=10),
)


class Gateway:
    """A MockTransport handler standing in for dragoman's relay."""

    def __init__(self, answer: Response | GatewayError, *, fail_midway: GatewayError | None = None) -> None:
        self.answer = answer
        self.fail_midway = fail_midway
        self.requests: list[Request] = []

    def __call__(self, http: httpx.Request) -> httpx.Response:
        match = ROUTE.search(http.url.path)
        assert match is not None
        ir = request.parse(
            orjson.loads(http.content), model=match.group(1), stream=match.group(2).startswith("stream")
        )
        self.requests.append(ir)
        if isinstance(self.answer, GatewayError):
            status, body = error.render(self.answer)
            return httpx.Response(
                status, content=orjson.dumps(body), headers={"content-type": "application/json"}
            )
        if not ir.stream:
            return httpx.Response(200, content=orjson.dumps(response.render(self.answer, ir)))
        return httpx.Response(
            200, content=b"".join(self._stream(ir)), headers={"content-type": "text/event-stream"}
        )

    def _stream(self, ir: Request) -> Iterator[bytes]:
        renderer = stream.Renderer(ir)
        for event in replay(self.answer):  # type: ignore[arg-type]
            if self.fail_midway and event.kind == "part_start" and event.index == 2:  # type: ignore[union-attr]
                yield renderer.render(StreamError(self.fail_midway))
                return
            yield renderer.keepalive()
            yield renderer.render(event)


def client_for(handler: Callable[[httpx.Request], httpx.Response]) -> genai.Client:
    options = types.HttpOptions(
        base_url="http://gateway.test",
        httpx_client=httpx.Client(transport=httpx.MockTransport(handler)),
        httpx_async_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
    )
    return genai.Client(api_key="test-key", http_options=options)


WEATHER = types.FunctionDeclaration(
    name="get_weather",
    description="Weather for a city",
    parameters_json_schema={
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
    },
)
CONFIG = types.GenerateContentConfig(
    tools=[types.Tool(function_declarations=[WEATHER])],
    thinking_config=types.ThinkingConfig(include_thoughts=True, thinking_budget=1024),
    automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True),
)


def test_generate_content_with_thoughts_and_a_function_call() -> None:
    gateway = Gateway(ANSWER)
    client = client_for(gateway)
    result = client.models.generate_content(
        model="gemini-2.5-flash", contents="Weather in Paris?", config=CONFIG
    )

    sent = gateway.requests[0]
    assert (sent.model, sent.stream) == ("gemini-2.5-flash", False)
    assert [tool.name for tool in sent.tools] == ["get_weather"]
    assert sent.reasoning is not None and sent.reasoning.budget_tokens == 1024

    parts = result.candidates[0].content.parts  # type: ignore[index,union-attr]
    assert (parts[0].text, parts[0].thought) == ("The user wants weather.", True)  # type: ignore[index]
    assert parts[1].text == "Checking."  # type: ignore[index]
    assert result.function_calls == [
        types.FunctionCall(id="toolu_01", name="get_weather", args={"city": "Paris", "units": ["c"]})
    ]
    assert result.candidates[0].finish_reason == types.FinishReason.STOP  # type: ignore[index]
    assert result.usage_metadata.prompt_token_count == 40  # type: ignore[union-attr]
    assert result.usage_metadata.candidates_token_count == 15  # type: ignore[union-attr]
    assert result.usage_metadata.thoughts_token_count == 10  # type: ignore[union-attr]
    assert result.model_version == "gemini-2.5-flash"


def test_the_sdk_history_comes_back_with_origins_and_call_ids() -> None:
    gateway = Gateway(ANSWER)
    client = client_for(gateway)
    first = client.models.generate_content(
        model="gemini-2.5-flash", contents="Weather in Paris?", config=CONFIG
    )
    history = [
        types.Content(role="user", parts=[types.Part(text="Weather in Paris?")]),
        first.candidates[0].content,  # type: ignore[index]
        types.Content(
            role="user",
            parts=[
                types.Part(
                    function_response=types.FunctionResponse(name="get_weather", response={"output": "18C"})
                )
            ],
        ),
    ]
    client.models.generate_content(model="gemini-2.5-flash", contents=history, config=CONFIG)

    turn = gateway.requests[1].messages
    assert turn[1].parts == [
        Thinking("The user wants weather.", signature="EqQBCkgIBx", origin="claude"),
        Text("Checking."),
        Thinking("", signature="CiQBVKhc", origin="gemini"),
        ToolCall("toolu_01", "get_weather", '{"city":"Paris","units":["c"]}'),
    ]
    assert turn[2].parts == [ToolResult("toolu_01", [Text("18C")], name="get_weather")]


def test_generate_content_stream() -> None:
    client = client_for(Gateway(ANSWER))
    chunks = list(
        client.models.generate_content_stream(
            model="gemini-3-pro-preview", contents="Weather?", config=CONFIG
        )
    )
    parts = [part for chunk in chunks for part in chunk.candidates[0].content.parts or []]  # type: ignore[index,union-attr]
    thoughts = "".join(part.text or "" for part in parts if part.thought)
    assert thoughts == "The user wants weather."
    assert [part.text for part in parts if part.text and not part.thought] == ["Checking."]
    calls = [part.function_call for part in parts if part.function_call]
    assert calls == [
        types.FunctionCall(id="toolu_01", name="get_weather", args={"city": "Paris", "units": ["c"]})
    ]
    signed = next(part for part in parts if part.function_call)
    assert signed.thought_signature is not None
    assert chunks[-1].candidates[0].finish_reason == types.FinishReason.STOP  # type: ignore[index]
    assert chunks[-1].usage_metadata.total_token_count == 65  # type: ignore[union-attr]


async def test_async_stream() -> None:
    client = client_for(Gateway(ANSWER))
    seen: list[str] = []
    async for chunk in await client.aio.models.generate_content_stream(
        model="gemini-2.5-flash", contents="Weather?", config=CONFIG
    ):
        seen += [part.text for part in chunk.candidates[0].content.parts or [] if part.text]  # type: ignore[index,union-attr]
    assert seen == ["The user wants weather.", "Checking."]


def test_errors_reach_the_sdk_as_api_errors() -> None:
    client = client_for(Gateway(RateLimited("Quota exceeded for gemini", retry_after=30)))
    with pytest.raises(genai_errors.ClientError) as caught:
        client.models.generate_content(model="gemini-2.5-flash", contents="hi")
    assert caught.value.code == 429
    assert caught.value.status == "RESOURCE_EXHAUSTED"
    assert caught.value.details["error"]["details"][0]["retryDelay"] == "30s"


def test_an_error_in_the_stream_raises_in_the_sdk() -> None:
    client = client_for(Gateway(ANSWER, fail_midway=RateLimited("Quota gone mid-stream")))
    received: list[types.GenerateContentResponse] = []
    with pytest.raises(genai_errors.APIError) as caught:
        for chunk in client.models.generate_content_stream(
            model="gemini-2.5-flash", contents="hi", config=CONFIG
        ):
            received.append(chunk)
    assert caught.value.code == 429
    assert received  # the parts before the error arrived first

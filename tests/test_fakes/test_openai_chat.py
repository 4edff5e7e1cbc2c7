"""The Chat Completions fake speaks the real format: checked with the official openai SDK."""

from __future__ import annotations

from typing import Any

import openai
import orjson
import pytest

from tests.fakes import Call, Failure, OpenAIChatFake, Reply, Usage
from tests.fakes.script import FILLED_WITHOUT_MAX
from tests.test_fakes.raw import events, payloads, post

MODEL = "gpt-4o-mini"
HI = [{"role": "user", "content": "hi"}]


@pytest.fixture
def client(fake_openai_chat: OpenAIChatFake) -> openai.OpenAI:
    return openai.OpenAI(base_url=fake_openai_chat.base_url, api_key=fake_openai_chat.key, max_retries=0)


def test_text_with_usage(client: openai.OpenAI, fake_openai_chat: OpenAIChatFake) -> None:
    fake_openai_chat.script(Reply(text="Bonjour", usage=Usage(input=100, output=30, cached=40, reasoning=12)))
    answer = client.chat.completions.create(model=MODEL, messages=HI)
    assert answer.choices[0].message.content == "Bonjour"
    assert answer.choices[0].finish_reason == "stop"
    assert answer.model == MODEL
    usage = answer.usage
    assert usage is not None
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (100, 30, 130)
    assert usage.prompt_tokens_details is not None and usage.prompt_tokens_details.cached_tokens == 40
    assert usage.completion_tokens_details is not None
    assert usage.completion_tokens_details.reasoning_tokens == 12


@pytest.mark.parametrize(("stop", "reason"), [("max_tokens", "length"), ("refusal", "content_filter")])
def test_stop_reasons(
    client: openai.OpenAI, fake_openai_chat: OpenAIChatFake, stop: Any, reason: str
) -> None:
    fake_openai_chat.script(Reply(text="cut", stop=stop))
    assert client.chat.completions.create(model=MODEL, messages=HI).choices[0].finish_reason == reason


@pytest.mark.parametrize(("asked", "tokens"), [({"max_completion_tokens": 50}, 50), ({}, FILLED_WITHOUT_MAX)])
def test_a_reply_filling_the_max_output_writes_as_much_as_it_allows(
    client: openai.OpenAI, fake_openai_chat: OpenAIChatFake, asked: dict[str, int], tokens: int
) -> None:
    fake_openai_chat.script(Reply(fills_max_output=True, usage=Usage(input=9)))
    answer = client.chat.completions.create(model=MODEL, messages=HI, **asked)  # type: ignore[call-overload]
    assert answer.choices[0].finish_reason == "length"
    assert len(answer.choices[0].message.content or "") == 4 * tokens
    usage = answer.usage
    assert usage is not None and (usage.prompt_tokens, usage.completion_tokens) == (9, tokens)


def test_tool_calls_whole(client: openai.OpenAI, fake_openai_chat: OpenAIChatFake) -> None:
    fake_openai_chat.script(Reply(tool_calls=[Call("get_weather", {"city": "Paris"}, id="call_1")]))
    choice = client.chat.completions.create(model=MODEL, messages=HI).choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content is None
    calls = choice.message.tool_calls or []
    assert [(c.id, c.function.name, orjson.loads(c.function.arguments)) for c in calls] == [
        ("call_1", "get_weather", {"city": "Paris"})
    ]


def test_stream_with_usage_chunk_and_done(fake_openai_chat: OpenAIChatFake) -> None:
    fake_openai_chat.script(Reply(text="Hello there world", usage=Usage(input=7, output=3)))
    body = {"model": MODEL, "messages": HI, "stream": True, "stream_options": {"include_usage": True}}
    raw = post(fake_openai_chat, "/v1/chat/completions", body).content
    assert all(name is None for name, _ in events(raw))
    assert raw.endswith(b"data: [DONE]\n\n")
    chunks = payloads(raw)
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant", "content": "", "refusal": None}
    assert "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks[:-1]) == "Hello there world"
    assert chunks[-2]["choices"][0]["finish_reason"] == "stop"
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"]["prompt_tokens"] == 7
    assert all(c["usage"] is None for c in chunks[:-1])


def test_stream_without_usage_option_has_no_usage_chunk(fake_openai_chat: OpenAIChatFake) -> None:
    raw = post(
        fake_openai_chat, "/v1/chat/completions", {"model": MODEL, "messages": HI, "stream": True}
    ).content
    chunks = payloads(raw)
    assert len(chunks) >= 2  # a role chunk and a finish chunk at least: `all` of nothing is true
    assert all(c["choices"] for c in chunks)
    assert all("usage" not in c for c in chunks)


def test_parallel_tool_calls_interleave_and_the_sdk_reassembles_them(
    client: openai.OpenAI, fake_openai_chat: OpenAIChatFake
) -> None:
    calls = [Call("read", {"path": "a.txt"}), Call("read", {"path": "b.txt"})]
    fake_openai_chat.script(Reply(tool_calls=calls), Reply(tool_calls=calls))
    raw = post(
        fake_openai_chat, "/v1/chat/completions", {"model": MODEL, "messages": HI, "stream": True}
    ).content
    fragments = [
        c["choices"][0]["delta"]["tool_calls"][0]
        for c in payloads(raw)
        if c["choices"][0]["delta"].get("tool_calls")
    ]
    order = [f["index"] for f in fragments if "id" not in f]
    assert order[:4] == [0, 1, 0, 1]
    with client.chat.completions.stream(model=MODEL, messages=HI) as stream:
        final = stream.get_final_completion()
    got = final.choices[0].message.tool_calls or []
    assert [orjson.loads(c.function.arguments) for c in got] == [{"path": "a.txt"}, {"path": "b.txt"}]
    assert final.choices[0].finish_reason == "tool_calls"


def test_rate_limit_with_retry_after(client: openai.OpenAI, fake_openai_chat: OpenAIChatFake) -> None:
    fake_openai_chat.script(Reply(error=Failure(429, "Rate limit reached", retry_after=7)))
    with pytest.raises(openai.RateLimitError) as caught:
        client.chat.completions.create(model=MODEL, messages=HI)
    assert caught.value.response.headers["retry-after"] == "7"
    assert caught.value.code == "rate_limit_exceeded"


def test_server_error(client: openai.OpenAI, fake_openai_chat: OpenAIChatFake) -> None:
    fake_openai_chat.script(Reply(error=Failure(500, "boom")))
    with pytest.raises(openai.InternalServerError) as caught:
        client.chat.completions.create(model=MODEL, messages=HI)
    assert caught.value.body == {"message": "boom", "type": "server_error", "param": None, "code": None}


def test_mid_stream_error_ends_without_done(fake_openai_chat: OpenAIChatFake) -> None:
    fake_openai_chat.script(Reply(text="partial", error=Failure(500, "boom", mid_stream=True)))
    raw = post(
        fake_openai_chat, "/v1/chat/completions", {"model": MODEL, "messages": HI, "stream": True}
    ).content
    assert payloads(raw)[-1] == {
        "error": {"message": "boom", "type": "server_error", "param": None, "code": None}
    }
    assert b"[DONE]" not in raw


def test_raw_error_body(fake_openai_chat: OpenAIChatFake) -> None:
    fake_openai_chat.script(Reply(error=Failure(502, body="<html>Bad gateway</html>")))
    response = post(fake_openai_chat, "/v1/chat/completions", {"model": MODEL, "messages": HI})
    assert (response.status_code, response.text) == (502, "<html>Bad gateway</html>")


def test_wrong_key(fake_openai_chat: OpenAIChatFake) -> None:
    client = openai.OpenAI(base_url=fake_openai_chat.base_url, api_key="sk-wrong-key-1234", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as caught:
        client.chat.completions.create(model=MODEL, messages=HI)
    assert caught.value.code == "invalid_api_key"
    assert "sk-wrong-key-1234" not in str(caught.value)


def test_missing_key(fake_openai_chat: OpenAIChatFake) -> None:
    response = post(
        fake_openai_chat, "/v1/chat/completions", {"model": MODEL, "messages": HI}, {"authorization": None}
    )  # type: ignore[dict-item]
    assert response.status_code == 401
    assert response.json()["error"]["type"] == "invalid_request_error"


def test_models(client: openai.OpenAI, fake_openai_chat: OpenAIChatFake) -> None:
    assert [m.id for m in client.models.list()] == fake_openai_chat.models
    assert client.models.retrieve("gpt-5").id == "gpt-5"
    with pytest.raises(openai.NotFoundError):
        client.models.retrieve("gpt-nope")


TOOL = {"type": "function", "function": {"name": "f", "parameters": {"type": "object", "properties": {}}}}
CALLED = {
    "role": "assistant",
    "content": None,
    "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}],
}
REJECTED = [
    ({"model": MODEL}, "Missing required parameter: 'messages'.", "messages"),
    ({"messages": HI}, "you must provide a model parameter", "model"),
    ({"model": MODEL, "messages": []}, "empty array", "messages"),
    (
        {"model": MODEL, "messages": HI, "thinking": {}},
        "Unrecognized request argument supplied: thinking",
        "thinking",
    ),
    (
        {"model": MODEL, "messages": [{"role": "model", "content": "x"}]},
        "Invalid value: 'model'",
        "messages[0].role",
    ),
    (
        {"model": MODEL, "messages": [{"role": "user", "content": [{"type": "input_text", "text": "x"}]}]},
        "Invalid value: 'input_text'",
        "messages[0].content[0].type",
    ),
    (
        {"model": MODEL, "messages": [*HI, {"role": "tool", "tool_call_id": "c1", "content": "r"}]},
        "messages with role 'tool' must be a response to a preceeding message with 'tool_calls'",
        "messages.[1].role",
    ),
    (
        {"model": MODEL, "messages": [*HI, CALLED, {"role": "user", "content": "next"}]},
        "did not have response messages: c1",
        "messages.[2].role",
    ),
    (
        {
            "model": MODEL,
            "messages": [
                *HI,
                {
                    **CALLED,
                    "tool_calls": [{**CALLED["tool_calls"][0], "function": {"name": "f", "arguments": {}}}],
                },
            ],
        },
        "expected a string, but got an object instead",
        "messages[1].tool_calls[0].function.arguments",
    ),
    (
        {
            "model": MODEL,
            "messages": HI,
            "tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "string"}}}],
        },
        "Invalid schema for function 'f'",
        "tools",
    ),
    (
        {"model": MODEL, "messages": HI, "tools": [{"type": "function", "function": {"name": "bad name"}}]},
        "string does not match pattern",
        "tools[0].function.name",
    ),
    (
        {"model": MODEL, "messages": HI, "tool_choice": "auto"},
        "only allowed when 'tools' are specified",
        "tool_choice",
    ),
    (
        {"model": MODEL, "messages": HI, "stream_options": {"include_usage": True}},
        "only allowed when 'stream'",
        "stream_options",
    ),
    (
        {"model": "gpt-5", "messages": HI, "max_tokens": 10},
        "Use 'max_completion_tokens' instead",
        "max_tokens",
    ),
    (
        {"model": "o3-mini", "messages": HI, "temperature": 0.2},
        "Only the default (1) value is supported",
        "temperature",
    ),
]


@pytest.mark.parametrize(("body", "message", "param"), REJECTED)
def test_validation_rejects(
    fake_openai_chat: OpenAIChatFake, body: dict[str, Any], message: str, param: str
) -> None:
    response = post(fake_openai_chat, "/v1/chat/completions", body)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert message in error["message"]
    assert (error["type"], error["param"]) == ("invalid_request_error", param)


def test_valid_tool_round_trip_is_accepted(fake_openai_chat: OpenAIChatFake) -> None:
    body = {
        "model": MODEL,
        "messages": [*HI, CALLED, {"role": "tool", "tool_call_id": "c1", "content": "r"}],
        "tools": [TOOL],
        "tool_choice": "auto",
    }
    assert post(fake_openai_chat, "/v1/chat/completions", body).status_code == 200


def test_invalid_json(fake_openai_chat: OpenAIChatFake) -> None:
    response = post(fake_openai_chat, "/v1/chat/completions", b"{nope")
    assert response.status_code == 400
    assert "could not parse the JSON body" in response.json()["error"]["message"]

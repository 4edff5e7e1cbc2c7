"""The Anthropic fake speaks the real format: checked with the official anthropic SDK."""

from __future__ import annotations

from typing import Any

import anthropic
import orjson
import pytest

from tests.fakes import AnthropicFake, Call, Failure, Reply, Usage
from tests.test_fakes.raw import events, post

MODEL = "claude-sonnet-4-6"
HI = [{"role": "user", "content": "hi"}]
THINK = {"type": "enabled", "budget_tokens": 1024}


@pytest.fixture
def client(fake_anthropic: AnthropicFake) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=fake_anthropic.url, api_key=fake_anthropic.key, max_retries=0)


def test_text_and_usage_excluding_cache(client: anthropic.Anthropic, fake_anthropic: AnthropicFake) -> None:
    fake_anthropic.script(Reply(text="Hej", usage=Usage(input=100, output=20, cached=30, cache_write=10)))
    message = client.messages.create(model=MODEL, max_tokens=64, messages=HI)
    assert [b.type for b in message.content] == ["text"] and message.content[0].text == "Hej"  # type: ignore[union-attr]
    assert (message.stop_reason, message.model) == ("end_turn", MODEL)
    usage = message.usage
    assert (usage.input_tokens, usage.cache_read_input_tokens, usage.cache_creation_input_tokens) == (
        60,
        30,
        10,
    )
    assert usage.output_tokens == 20


def test_stream_event_order(fake_anthropic: AnthropicFake) -> None:
    fake_anthropic.script(Reply(text="Hi there", thinking="hmm", tool_calls=[Call("f", {"a": 1})], chunks=2))
    body = {"model": MODEL, "max_tokens": 2048, "messages": HI, "stream": True, "thinking": THINK}
    found = events(post(fake_anthropic, "/v1/messages", body).content)
    assert all(orjson.loads(data)["type"] == name for name, data in found)
    deltas = [orjson.loads(d)["delta"]["type"] for n, d in found if n == "content_block_delta"]
    assert [n for n, _ in found if n != "content_block_delta"] == [
        "message_start",
        "content_block_start",
        "ping",
        "content_block_stop",
        "content_block_start",
        "content_block_stop",
        "content_block_start",
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]
    assert deltas == [
        *["thinking_delta"] * 2,
        "signature_delta",
        *["text_delta"] * 2,
        *["input_json_delta"] * 3,
    ]
    start = orjson.loads(found[0][1])["message"]
    assert (start["content"], start["stop_reason"]) == ([], None)
    final = orjson.loads(found[-2][1])
    assert final["delta"]["stop_reason"] == "tool_use" and final["usage"]["output_tokens"] == 5


def test_sdk_stream_final_message_and_signature_replay(
    client: anthropic.Anthropic, fake_anthropic: AnthropicFake
) -> None:
    fake_anthropic.script(
        Reply(text="Let me look", thinking="I should read", tool_calls=[Call("read", {"p": "a"})])
    )
    with client.messages.stream(model=MODEL, max_tokens=2048, thinking=THINK, messages=HI) as stream:  # type: ignore[arg-type]
        final = stream.get_final_message()
    thinking, text, tool = final.content
    assert thinking.type == "thinking" and thinking.thinking == "I should read"
    assert thinking.signature in fake_anthropic.signatures
    assert text.type == "text" and tool.type == "tool_use" and tool.input == {"p": "a"}
    assert final.stop_reason == "tool_use"
    history = [
        *HI,
        {"role": "assistant", "content": [b.model_dump(exclude_none=True) for b in final.content]},
    ]
    result = {"role": "user", "content": [{"type": "tool_result", "tool_use_id": tool.id, "content": "data"}]}
    again = client.messages.create(model=MODEL, max_tokens=2048, thinking=THINK, messages=[*history, result])  # type: ignore[arg-type]
    assert again.content[0].type == "text"
    history[1]["content"][0]["signature"] = "Zm9yZ2Vk"
    with pytest.raises(anthropic.BadRequestError, match="Invalid `signature` in `thinking` block"):
        client.messages.create(model=MODEL, max_tokens=2048, thinking=THINK, messages=[*history, result])  # type: ignore[arg-type]


def test_thinking_only_when_enabled_and_omitted_display(
    client: anthropic.Anthropic, fake_anthropic: AnthropicFake
) -> None:
    fake_anthropic.script(Reply(text="a", thinking="t"), Reply(text="b", thinking="t"))
    plain = client.messages.create(model=MODEL, max_tokens=64, messages=HI)
    assert [b.type for b in plain.content] == ["text"]
    omitted = {"type": "adaptive", "display": "omitted"}
    hidden = client.messages.create(model=MODEL, max_tokens=64, thinking=omitted, messages=HI)  # type: ignore[arg-type]
    assert hidden.content[0].type == "thinking" and hidden.content[0].thinking == ""
    assert hidden.content[0].signature in fake_anthropic.signatures


def test_overloaded_and_rate_limited(client: anthropic.Anthropic, fake_anthropic: AnthropicFake) -> None:
    fake_anthropic.script(
        Reply(error=Failure(529, "Overloaded")), Reply(error=Failure(429, "slow", retry_after=12))
    )
    with pytest.raises(anthropic.APIStatusError) as overloaded:
        client.messages.create(model=MODEL, max_tokens=64, messages=HI)
    assert overloaded.value.status_code == 529
    assert overloaded.value.body["error"] == {"type": "overloaded_error", "message": "Overloaded"}  # type: ignore[index]
    with pytest.raises(anthropic.RateLimitError) as limited:
        client.messages.create(model=MODEL, max_tokens=64, messages=HI)
    assert limited.value.response.headers["retry-after"] == "12"


def test_mid_stream_error_event(client: anthropic.Anthropic, fake_anthropic: AnthropicFake) -> None:
    fake_anthropic.script(Reply(text="partial", error=Failure(529, "Overloaded", mid_stream=True)))
    body = {"model": MODEL, "max_tokens": 64, "messages": HI, "stream": True}
    found = events(post(fake_anthropic, "/v1/messages", body).content)
    assert found[-1][0] == "error"
    assert orjson.loads(found[-1][1]) == {
        "type": "error",
        "error": {"type": "overloaded_error", "message": "Overloaded"},
    }
    assert "message_stop" not in [name for name, _ in found]


def test_count_tokens_and_models(client: anthropic.Anthropic, fake_anthropic: AnthropicFake) -> None:
    fake_anthropic.count_tokens_result = 42
    assert client.messages.count_tokens(model=MODEL, messages=HI).input_tokens == 42  # type: ignore[arg-type]
    assert [m.id for m in client.models.list()] == fake_anthropic.models
    with pytest.raises(anthropic.NotFoundError):
        client.models.retrieve("claude-nope")


def test_count_tokens_rejects_max_tokens(fake_anthropic: AnthropicFake) -> None:
    response = post(
        fake_anthropic, "/v1/messages/count_tokens", {"model": MODEL, "messages": HI, "max_tokens": 5}
    )
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "max_tokens: Extra inputs are not permitted"


@pytest.mark.parametrize(
    ("headers", "status", "message"),
    [
        ({"x-api-key": "wrong"}, 401, "invalid x-api-key"),
        ({"x-api-key": None}, 401, "x-api-key header is required"),
        ({"x-api-key": None, "authorization": "Bearer wrong"}, 401, "Invalid bearer token"),
        ({"anthropic-version": None}, 400, "anthropic-version: header is required"),
    ],
)
def test_auth(fake_anthropic: AnthropicFake, headers: dict[str, Any], status: int, message: str) -> None:
    response = post(
        fake_anthropic, "/v1/messages", {"model": MODEL, "max_tokens": 5, "messages": HI}, headers
    )
    assert response.status_code == status
    body = response.json()
    assert body["type"] == "error" and body["error"]["message"] == message
    assert body["request_id"].startswith("req_")


def test_bearer_key_is_accepted(fake_anthropic: AnthropicFake) -> None:
    headers = {"x-api-key": None, "authorization": f"Bearer {fake_anthropic.key}"}
    assert (
        post(
            fake_anthropic, "/v1/messages", {"model": MODEL, "max_tokens": 5, "messages": HI}, headers
        ).status_code
        == 200
    )

"""One upstream's usage, every client dialect: the same IR numbers, each wire's own.

An upstream answer in any dialect is parsed to the IR's one meaning of usage (the
whole prompt in input_tokens, reasoning inside output_tokens); every client dialect
then renders it in its own convention, whole and streamed, and parsing that back
gives the same IR numbers, less what the client's wire has no field for.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from dragoman import dialects, sse
from dragoman.ir.messages import Text
from dragoman.ir.request import Request
from dragoman.ir.response import Response, accumulate, replay
from dragoman.ir.usage import Usage

# 100 uncached + 2000 read + 500 written (400 of them for 1 h); 70 output, 50 of it reasoning.
USAGE = Usage(
    input_tokens=2600,
    output_tokens=70,
    cache_read_tokens=2000,
    cache_write_tokens=500,
    reasoning_tokens=50,
    cache_write_1h_tokens=400,
)

# The same usage as each upstream dialect reports it.
UPSTREAM_WIRE: dict[str, tuple[str, dict[str, Any]]] = {
    "anthropic": (
        "usage",
        {
            "input_tokens": 100,
            "cache_creation_input_tokens": 500,
            "cache_read_input_tokens": 2000,
            "cache_creation": {"ephemeral_5m_input_tokens": 100, "ephemeral_1h_input_tokens": 400},
            "output_tokens": 70,
            "output_tokens_details": {"thinking_tokens": 50},
        },
    ),
    "openai_chat": (
        "usage",
        {
            "prompt_tokens": 2600,
            "completion_tokens": 70,
            "total_tokens": 2670,
            "prompt_tokens_details": {"cached_tokens": 2000, "cache_write_tokens": 500},
            "completion_tokens_details": {"reasoning_tokens": 50},
        },
    ),
    "openai_responses": (
        "usage",
        {
            "input_tokens": 2600,
            "input_tokens_details": {"cached_tokens": 2000, "cache_write_tokens": 500},
            "output_tokens": 70,
            "output_tokens_details": {"reasoning_tokens": 50},
            "total_tokens": 2670,
        },
    ),
    "gemini": (
        "usageMetadata",
        {
            "promptTokenCount": 2600,
            "cachedContentTokenCount": 2000,
            "candidatesTokenCount": 20,
            "thoughtsTokenCount": 50,
            "totalTokenCount": 2670,
        },
    ),
}

# What each client wire cannot say: Gemini has no cache writes (they stay in the
# prompt), and only Anthropic splits writes by lifetime.
CLIENT_KEEPS = {
    "anthropic": USAGE,
    "openai_chat": replace(USAGE, cache_write_1h_tokens=0),
    "openai_responses": replace(USAGE, cache_write_1h_tokens=0),
    "gemini": replace(USAGE, cache_write_tokens=0, cache_write_1h_tokens=0),
}

WHOLE_BODIES: dict[str, dict[str, Any]] = {
    "anthropic": {"id": "msg_1", "type": "message", "role": "assistant", "model": "m", "content": []},
    "openai_chat": {"id": "c1", "object": "chat.completion", "model": "m", "choices": []},
    "openai_responses": {
        "id": "resp_1",
        "object": "response",
        "status": "completed",
        "model": "m",
        "output": [],
    },
    "gemini": {
        "candidates": [{"content": {"role": "model", "parts": [{"text": ""}]}, "finishReason": "STOP"}]
    },
}


def _usage_of(dialect: str, body: dict[str, Any]) -> dict[str, Any]:
    return body[UPSTREAM_WIRE[dialect][0]]


@pytest.mark.parametrize("upstream", UPSTREAM_WIRE)
def test_every_upstream_wire_parses_to_the_same_ir_usage(upstream: str) -> None:
    key, usage = UPSTREAM_WIRE[upstream]
    parsed = dialects.get(upstream).response.parse(WHOLE_BODIES[upstream] | {key: usage}, origin="up")
    assert parsed.usage == CLIENT_KEEPS[upstream]
    # Gemini's writes are not told apart from the uncached prompt.
    assert parsed.usage.uncached_input_tokens == (600 if upstream == "gemini" else 100)


@pytest.mark.parametrize("client", UPSTREAM_WIRE)
def test_a_whole_answer_gives_each_client_its_wire_numbers(client: str) -> None:
    answer = Response(id="x", model="m", parts=[Text("hi")], stop_reason="end_turn", usage=USAGE)
    body = dialects.get(client).response.render(answer, Request(model="m"))
    assert _usage_of(client, body) == UPSTREAM_WIRE[client][1]
    assert dialects.get(client).response.parse(body, origin="up").usage == CLIENT_KEEPS[client]


@pytest.mark.parametrize("client", UPSTREAM_WIRE)
def test_a_streamed_answer_gives_each_client_the_same_numbers(client: str) -> None:
    answer = Response(id="x", model="m", parts=[Text("hi")], stop_reason="end_turn", usage=USAGE)
    dialect = dialects.get(client)
    renderer = dialect.stream.Renderer(Request(model="m", stream=True, include_usage=True))
    wire = b"".join(renderer.render(event) for event in replay(answer))
    decoder, parser = sse.Decoder(), dialect.stream.Parser("up")
    events = [ir for event in decoder.feed(wire) + decoder.flush() for ir in parser.feed(event)]
    assert accumulate(events + parser.close()).usage == CLIENT_KEEPS[client]


@pytest.mark.parametrize("client", UPSTREAM_WIRE)
def test_reasoning_an_upstream_counts_apart_reaches_every_client_inside_output(client: str) -> None:
    # xAI's Chat usage: total = prompt + completion + reasoning.
    xai: dict[str, Any] = {
        "prompt_tokens": 50,
        "completion_tokens": 7,
        "total_tokens": 150,
        "completion_tokens_details": {"reasoning_tokens": 93},
    }
    parsed = dialects.get("openai_chat").response.parse(
        WHOLE_BODIES["openai_chat"] | {"usage": xai}, origin="xai"
    )
    body = dialects.get(client).response.render(parsed, Request(model="m"))
    assert dialects.get(client).response.parse(body, origin="up").usage == Usage(
        input_tokens=50, output_tokens=100, reasoning_tokens=93
    )

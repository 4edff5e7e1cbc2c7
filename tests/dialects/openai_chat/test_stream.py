"""Chat streams: upstream chunks -> IR events, and IR events -> the chunks a client receives."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from dragoman import sse
from dragoman.dialects.openai_chat.stream import Parser, Renderer
from dragoman.ir.errors import RateLimited, UpstreamError
from dragoman.ir.events import (
    Event,
    PartDelta,
    PartStart,
    PartStop,
    Start,
    Stop,
    StopReason,
    StreamError,
    UsageUpdate,
)
from dragoman.ir.messages import Image, Text, Thinking, ToolCall
from dragoman.ir.request import Request
from dragoman.ir.response import accumulate
from dragoman.ir.usage import Usage


def chunk(delta: dict[str, Any] | None = None, finish: str | None = None, **extra: Any) -> str:
    choices = [] if delta is None else [{"index": 0, "delta": delta, "finish_reason": finish}]
    return orjson.dumps({"id": "chatcmpl-1", "model": "gpt-4o", "choices": choices, **extra}).decode()


def parse(*data: str, close: bool = True) -> list[Event]:
    parser = Parser("openai")
    events: list[Event] = []
    for item in data:
        events += parser.feed(sse.Event(data=item))
    return events + (parser.close() if close else [])


# -- Parser ------------------------------------------------------------------------------


def test_text_stream_with_usage() -> None:
    usage = {
        "prompt_tokens": 9,
        "completion_tokens": 2,
        "total_tokens": 11,
        "prompt_tokens_details": {"cached_tokens": 4},
    }
    events = parse(
        chunk({"role": "assistant", "content": ""}),
        chunk({"content": "Hel"}),
        chunk({"content": "lo"}),
        chunk({}, "stop"),
        chunk(None, usage=usage),
        "[DONE]",
    )
    assert events == [
        Start("chatcmpl-1", "gpt-4o"),
        PartStart(0, Text("")),
        PartDelta(0, "Hel"),
        PartDelta(0, "lo"),
        PartStop(0),
        UsageUpdate(Usage(input_tokens=9, output_tokens=2, cache_read_tokens=4)),
        Stop("end_turn"),
    ]


def test_reasoning_then_text_are_separate_parts() -> None:
    events = parse(
        chunk({"role": "assistant", "reasoning_content": "think"}),
        chunk({"reasoning": "ing"}),
        chunk({"content": "answer"}),
        chunk({"reasoning_content": "more"}),
        chunk({}, "stop"),
        "[DONE]",
    )
    response = accumulate(events)
    assert response.parts == [
        Thinking("thinking", origin="openai"),
        Text("answer"),
        Thinking("more", origin="openai"),
    ]
    assert [type(event).__name__ for event in events].count("PartStop") == 3


def test_interleaved_parallel_tool_calls() -> None:
    def call(index: int, **fields: Any) -> dict[str, Any]:
        return {"tool_calls": [{"index": index, **fields}]}

    events = parse(
        chunk({"role": "assistant", "content": None}),
        chunk(call(0, id="call_a", type="function", function={"name": "read", "arguments": ""})),
        chunk(call(1, id="call_b", type="function", function={"name": "list", "arguments": '{"d'})),
        chunk(call(0, function={"arguments": '{"p":'})),
        chunk(call(1, function={"arguments": '":1}'})),
        chunk(call(0, function={"arguments": '"x"}'})),
        chunk({}, "tool_calls"),
        "[DONE]",
    )
    assert events[1:3] == [PartStart(0, ToolCall("call_a", "read")), PartStart(1, ToolCall("call_b", "list"))]
    response = accumulate(events)
    assert response.parts == [ToolCall("call_a", "read", '{"p":"x"}'), ToolCall("call_b", "list", '{"d":1}')]
    assert response.stop_reason == "tool_use"


def test_text_before_calls_is_closed_when_calls_start() -> None:
    events = parse(
        chunk({"content": "Checking."}),
        chunk({"tool_calls": [{"index": 0, "id": "c", "function": {"name": "f", "arguments": "{}"}}]}),
        chunk({}, "tool_calls"),
        "[DONE]",
    )
    assert events[3:5] == [PartStop(0), PartStart(1, ToolCall("c", "f"))]


def test_calls_without_index_and_legacy_function_call() -> None:
    events = parse(
        chunk({"tool_calls": [{"id": "a", "function": {"name": "f", "arguments": "{"}}]}),
        chunk({"tool_calls": [{"function": {"arguments": "}"}}]}),
        chunk({"tool_calls": [{"id": "b", "function": {"name": "g", "arguments": "{}"}}]}),
        chunk({"function_call": {"name": "old", "arguments": "{}"}}),
        chunk({}, "stop"),
        "[DONE]",
    )
    calls = accumulate(events).tool_calls()
    assert [(call.id, call.name, call.arguments) for call in calls[:2]] == [
        ("a", "f", "{}"),
        ("b", "g", "{}"),
    ]
    assert (calls[2].name, calls[2].arguments) == ("old", "{}")
    assert accumulate(events).stop_reason == "tool_use"


@pytest.mark.parametrize(
    ("finish", "expected"),
    [
        ("stop", "end_turn"),
        ("length", "max_tokens"),
        ("content_filter", "refusal"),
        ("tool_calls", "tool_use"),
    ],
)
def test_finish_reasons(finish: str, expected: str) -> None:
    assert parse(chunk({"content": "x"}), chunk({}, finish), "[DONE]")[-1] == Stop(expected)  # type: ignore[arg-type]


def test_refusal_delta() -> None:
    response = accumulate(parse(chunk({"refusal": "No."}), chunk({}, "stop"), "[DONE]"))
    assert (response.text(), response.stop_reason) == ("No.", "refusal")


def test_usage_on_the_finish_chunk() -> None:
    usage = {"prompt_tokens": 3, "completion_tokens": 1, "completion_tokens_details": {"reasoning_tokens": 1}}
    events = parse(chunk({"content": "x"}), chunk({}, "stop", usage=usage), "[DONE]")
    assert UsageUpdate(Usage(input_tokens=3, output_tokens=1, reasoning_tokens=1)) in events


def test_finished_stream_without_done_is_complete() -> None:
    events = parse(chunk({"content": "x"}), chunk({}, "stop"))
    assert events[-1] == Stop("end_turn")


def test_stream_cut_before_finish_is_an_error() -> None:
    events = parse(chunk({"content": "x"}))
    assert isinstance(events[-1], StreamError)
    assert isinstance(events[-1].error, UpstreamError)


def test_in_stream_error() -> None:
    events = parse(
        chunk({"content": "x"}),
        orjson.dumps(
            {"error": {"message": "Rate limit", "type": "rate_limit_error", "code": "rate_limit_exceeded"}}
        ).decode(),
        chunk({"content": "ignored"}),
    )
    assert isinstance(events[-1], StreamError)
    assert isinstance(events[-1].error, RateLimited)
    assert events[-1].error.message == "Rate limit"


@pytest.mark.parametrize("data", ["not json", "[1]"])
def test_malformed_chunk_is_an_error(data: str) -> None:
    events = parse(data)
    assert len(events) == 1 and isinstance(events[0], StreamError)


def test_nothing_after_done() -> None:
    parser = Parser("o")
    parser.feed(sse.Event(chunk({}, "stop")))
    assert parser.feed(sse.Event("[DONE]"))[-1] == Stop("end_turn")
    assert parser.feed(sse.Event(chunk({"content": "late"}))) == []
    assert parser.close() == []


def test_text_pieces_after_the_first_extend_its_part() -> None:
    # The common chunk (text alone) is read on a short path: it must agree with the long one.
    events = parse(
        chunk({"role": "assistant", "content": "a"}),
        chunk({"content": ""}),
        chunk({"content": "b", "role": "assistant"}),
        chunk({"content": "c"}),
        chunk({"content": "d"}, "stop"),
        chunk({"content": "late"}),
        "[DONE]",
    )
    assert events == [
        Start("chatcmpl-1", "gpt-4o"),
        PartStart(0, Text("")),
        PartDelta(0, "a"),
        PartDelta(0, "b"),
        PartDelta(0, "c"),
        PartDelta(0, "d"),
        PartStop(0),
        PartStart(1, Text("")),
        PartDelta(1, "late"),
        PartStop(1),
        Stop("end_turn"),
    ]


def test_other_choices_are_followed_apart() -> None:
    data = orjson.dumps(
        {"id": "i", "model": "m", "choices": [{"index": 1, "delta": {"content": "B"}}]}
    ).decode()
    answer = accumulate(parse(data, chunk({"content": "A"}), chunk({}, "stop"), "[DONE]"))
    assert answer.text() == "A"
    assert [other.text() for other in answer.alternatives] == ["B"]


# -- Renderer ----------------------------------------------------------------------------


def frames(data: bytes) -> list[Any]:
    """The decoded `data:` payloads of a rendered stream."""
    decoder = sse.Decoder()
    events = decoder.feed(data) + decoder.flush()
    return [event.data if event.data == "[DONE]" else orjson.loads(event.data) for event in events]


def render(events: list[Event], request: Request) -> bytes:
    renderer = Renderer(request)
    return b"".join(renderer.render(event) for event in events)


EVENTS: list[Event] = [
    Start("up-1", "upstream-model"),
    PartStart(0, Thinking("", origin="anthropic")),
    PartDelta(0, "hmm"),
    PartDelta(0, signature="sig"),
    PartStop(0),
    PartStart(1, Text("")),
    PartDelta(1, "Hi"),
    PartStop(1),
    PartStart(2, ToolCall("call_a", "read")),
    PartStart(3, ToolCall("call_b", "list")),
    PartDelta(2, '{"p":1}'),
    PartStop(2),
    PartStop(3),
    UsageUpdate(Usage(input_tokens=5, output_tokens=3, cache_read_tokens=1, reasoning_tokens=2)),
    Stop("tool_use"),
]


def test_exact_chunk_order_with_usage() -> None:
    out = frames(render(EVENTS, Request(model="alias", stream=True, include_usage=True)))
    assert out[-1] == "[DONE]"
    chunks = out[:-1]
    assert {(c["id"], c["model"], c["object"], c["created"]) for c in chunks} == {
        (chunks[0]["id"], "alias", "chat.completion.chunk", chunks[0]["created"])
    }
    # The upstream's `up-1` is not in Chat's form: every chunk carries one id that is.
    assert chunks[0]["id"].startswith("chatcmpl-")
    assert all("usage" in c for c in chunks)
    deltas = [(c["choices"][0]["delta"], c["choices"][0]["finish_reason"]) for c in chunks[:-1]]
    assert deltas == [
        ({"role": "assistant", "content": ""}, None),
        ({"reasoning_content": "hmm"}, None),
        ({"content": "Hi"}, None),
        (
            {
                "tool_calls": [
                    {
                        "index": 0,
                        "id": "call_a",
                        "type": "function",
                        "function": {"name": "read", "arguments": ""},
                    }
                ]
            },
            None,
        ),
        ({"tool_calls": [{"index": 0, "function": {"arguments": '{"p":1}'}}]}, None),
        (
            {
                "tool_calls": [
                    {
                        "index": 1,
                        "id": "call_b",
                        "type": "function",
                        "function": {"name": "list", "arguments": ""},
                    }
                ]
            },
            None,
        ),
        ({"tool_calls": [{"index": 1, "function": {"arguments": "{}"}}]}, None),
        ({}, "tool_calls"),
    ]
    assert all(c["usage"] is None for c in chunks[:-1])
    assert chunks[-1]["choices"] == []
    assert chunks[-1]["usage"] == {
        "prompt_tokens": 5,
        "completion_tokens": 3,
        "total_tokens": 8,
        "prompt_tokens_details": {"cached_tokens": 1},
        "completion_tokens_details": {"reasoning_tokens": 2},
    }


def test_no_usage_chunk_unless_asked() -> None:
    out = frames(render(EVENTS, Request(model="alias", stream=True)))
    assert out[-1] == "[DONE]"
    assert out[-2]["choices"][0]["finish_reason"] == "tool_calls"
    assert all("usage" not in c and c["choices"] for c in out[:-1])


# A model's name is the client's: one written as the marker must not be taken for the text's place.
TEXT_CHUNK_CASES = [(False, "alias"), (True, "alias"), (True, "\x00")]


@pytest.mark.parametrize(("include_usage", "model"), TEXT_CHUNK_CASES)
def test_text_chunks_are_the_bytes_of_their_json(include_usage: bool, model: str) -> None:
    # Text and reasoning chunks are drawn from bytes kept around the text: byte for byte
    # what serializing the whole chunk gives, whatever the text holds.
    texts = ['say "hi"\\', "\x00\n\u2028", "é🙂", ""]
    events: list[Event] = [Start("chatcmpl-9", "m"), PartStart(0, Thinking("")), PartDelta(0, "why")]
    events += [PartStop(0), PartStart(1, Text(""))] + [PartDelta(1, text) for text in texts]
    events += [PartStart(0, Text(""), choice=1), PartDelta(0, "other", choice=1)]
    renderer = Renderer(Request(model=model, stream=True, include_usage=include_usage, choices=2))
    drawn = [renderer.render(event) for event in events]

    def expected(index: int, delta: dict[str, str]) -> bytes:
        choice = {"index": index, "delta": delta, "logprobs": None, "finish_reason": None}
        head = {"id": "chatcmpl-9", "object": "chat.completion.chunk", "created": renderer._created}
        whole = {**head, "model": model, "choices": [choice]} | ({"usage": None} if include_usage else {})
        return b"data: " + orjson.dumps(whole) + b"\n\n"

    assert drawn[2] == expected(0, {"reasoning_content": "why"})
    assert drawn[5:8] == [expected(0, {"content": text}) for text in texts[:3]]
    assert drawn[8] == b""  # an empty piece draws nothing
    assert drawn[10] == expected(1, {"content": "other"})


def test_text_only_stream_bytes() -> None:
    events: list[Event] = [Start("", "m"), PartStart(0, Text("")), PartDelta(0, "OK"), PartStop(0), Stop()]
    out = frames(render(events, Request(model="gpt-4o-mini", stream=True)))
    assert out[0]["id"].startswith("chatcmpl-") and out[0]["id"] == out[-2]["id"]
    assert [c["choices"][0]["delta"] for c in out[:-1]] == [
        {"role": "assistant", "content": ""},
        {"content": "OK"},
        {},
    ]
    assert out[-2]["choices"][0]["finish_reason"] == "stop"


def test_error_mid_stream() -> None:
    events: list[Event] = [
        Start("i", "m"),
        PartStart(0, Text("")),
        PartDelta(0, "par"),
        StreamError(RateLimited("slow down")),
    ]
    out = frames(render([*events, PartDelta(0, "more"), Stop()], Request(model="m", stream=True)))
    assert out[-2:] == [
        {
            "error": {
                "message": "slow down",
                "type": "rate_limit_error",
                "param": None,
                "code": "rate_limit_exceeded",
            }
        },
        "[DONE]",
    ]
    assert len(out) == 4


def test_error_before_anything() -> None:
    out = frames(render([StreamError(UpstreamError("down"))], Request(model="m", stream=True)))
    assert out[0]["error"]["message"] == "down" and out[1] == "[DONE]"


def test_parts_chat_cannot_carry_are_dropped() -> None:
    events: list[Event] = [
        Start("i", "m"),
        PartStart(0, Thinking("", signature="opaque", redacted=True)),
        PartStop(0),
        PartStart(1, Image(url="https://x.test/i.png")),
        PartStop(1),
        Stop(),
    ]
    out = frames(render(events, Request(model="m", stream=True)))
    assert [c["choices"][0]["delta"] for c in out[:-1]] == [{"role": "assistant", "content": ""}, {}]


def test_keepalive_is_a_comment() -> None:
    data = Renderer(Request(model="m")).keepalive()
    assert data.startswith(b":") and data.endswith(b"\n\n")
    assert sse.Decoder().feed(data) == []


def test_named_error_event() -> None:
    parser = Parser("o")
    events = parser.feed(
        sse.Event(data='{"message": "overloaded", "type": "overloaded_error"}', event="error")
    )
    assert len(events) == 1 and isinstance(events[0], StreamError)
    assert events[0].error.message == "overloaded" and events[0].error.status == 529


def _calls_in_order(out: list[Any]) -> list[tuple[int, str]]:
    """(call slot, what arrived) for every tool call fragment, in wire order."""
    return [
        (call["index"], call.get("id") or call["function"]["arguments"])
        for c in out
        if c != "[DONE]" and c.get("choices")
        for call in c["choices"][0]["delta"].get("tool_calls", [])
    ]


def test_interleaved_tool_calls_reach_the_client_one_after_another() -> None:
    """OpenAI streams each call whole; the SDK's stream helper takes a new call as the end of the last."""
    events: list[Event] = [
        Start("up-1", "m"),
        PartStart(0, ToolCall("call_a", "read")),
        PartStart(1, ToolCall("call_b", "list")),
        PartStart(2, ToolCall("call_c", "stat")),
        PartDelta(0, '{"p":'),
        PartDelta(1, '{"q":'),
        PartDelta(2, '{"r":3}'),
        PartStop(2),
        PartDelta(1, "2}"),
        PartDelta(0, "1}"),
        PartStop(0),
        PartStop(1),
        Stop("tool_use"),
    ]
    out = frames(render(events, Request(model="m", stream=True)))
    assert _calls_in_order(out) == [
        (0, "call_a"), (0, '{"p":'), (0, "1}"),
        (1, "call_b"), (1, '{"q":'), (1, "2}"),
        (2, "call_c"), (2, '{"r":3}'),
    ]  # fmt: skip
    assert out[-2]["choices"][0]["finish_reason"] == "tool_calls"


def test_held_tool_calls_are_released_before_an_in_stream_error() -> None:
    events: list[Event] = [
        Start("up-1", "m"),
        PartStart(0, ToolCall("call_a", "read")),
        PartStart(1, ToolCall("call_b", "list")),
        PartDelta(1, "{}"),
        StreamError(UpstreamError("cut")),
    ]
    out = frames(render(events, Request(model="m", stream=True)))
    assert _calls_in_order(out) == [(0, "call_a"), (1, "call_b"), (1, "{}")]
    assert "error" in out[-2]


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        ("end_turn", "tool_calls"),
        ("tool_use", "tool_calls"),
        ("max_tokens", "length"),
        ("refusal", "content_filter"),
    ],
)
def test_a_stream_that_ends_with_tool_calls_finishes_with_tool_calls(
    reason: StopReason, expected: str
) -> None:
    """Some upstreams end a tool-calling turn as a plain end of turn; a Chat client
    decides whether to run tools from `finish_reason`, so calls make it `tool_calls`."""
    events: list[Event] = [
        Start("chatcmpl-1", "m"),
        PartStart(0, Text("")),
        PartDelta(0, "Let me check."),
        PartStop(0),
        PartStart(1, ToolCall("call_1", "get_weather")),
        PartDelta(1, '{"city":"Paris"}'),
        PartStop(1),
        Stop(reason),
    ]
    chunks = frames(render(events, Request(model="m", stream=True)))[:-1]
    finishes = [c["choices"][0]["finish_reason"] for c in chunks if c["choices"][0]["finish_reason"]]
    assert finishes == [expected]
    plain = frames(
        render([Start("chatcmpl-1", "m"), PartStart(0, Text("")), Stop("end_turn")], Request(model="m"))
    )
    assert [c["choices"][0]["finish_reason"] for c in plain[:-1]][-1] == "stop"

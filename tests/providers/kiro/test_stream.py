"""Kiro's frames into IR events: text, a tool call assembled from fragments, the stop
reasons (tools, the output limit, a full context), exceptions as errors."""

from __future__ import annotations

import orjson

from dragoman.ir.errors import RateLimited
from dragoman.ir.events import StreamError
from dragoman.ir.messages import Text, ToolCall
from dragoman.ir.response import accumulate
from dragoman.providers.kiro.eventstream import Decoder
from dragoman.providers.kiro.stream import Parser
from tests.fakes.kiro_frames import answer_frames, event, exception
from tests.fakes.script import Call, Reply, Usage


def _events(frames: list[bytes]) -> list:
    parser, decoder = Parser("kiro:test"), Decoder()
    out = [event for frame in decoder.feed(b"".join(frames)) for event in parser.feed(frame)]
    return out + parser.close()


def test_text_and_a_fragmented_tool_call_fold_into_one_answer() -> None:
    reply = Reply(
        text="Let me check.", tool_calls=[Call("weather", {"city": "Paris", "days": [1, 2]}, id="t9")]
    )
    answer = accumulate(_events(answer_frames(reply)))
    [text, call] = answer.parts
    assert isinstance(text, Text) and text.text == "Let me check."
    assert isinstance(call, ToolCall) and (call.id, call.name) == ("t9", "weather")
    assert orjson.loads(call.arguments) == {"city": "Paris", "days": [1, 2]}
    assert answer.stop_reason == "tool_use"


def test_the_prompt_is_estimated_from_the_context_share() -> None:
    answer = accumulate(_events(answer_frames(Reply(text="hi", usage=Usage(input=3000)))))
    assert answer.usage.input_tokens == 3000
    assert answer.stop_reason == "end_turn"


def test_the_output_limit_is_a_stop_reason_not_an_error() -> None:
    answer = accumulate(_events(answer_frames(Reply(text="cut", stop="max_tokens"))))
    assert answer.stop_reason == "max_tokens" and answer.parts[0].text == "cut"


def test_a_full_context_ends_with_context_window() -> None:
    frames = [
        event("assistantResponseEvent", {"content": "x"}),
        event("contextUsageEvent", {"contextUsagePercentage": 100.0}),
    ]
    assert accumulate(_events(frames)).stop_reason == "context_window"


def test_a_wrapped_event_payload_is_read_too() -> None:
    frames = [event("assistantResponseEvent", {"assistantResponseEvent": {"content": "wrapped"}})]
    assert accumulate(_events(frames)).parts[0].text == "wrapped"


def test_an_exception_ends_the_stream_with_its_error() -> None:
    events = _events(
        [
            event("assistantResponseEvent", {"content": "a"}),
            exception("ThrottlingException", "Too many requests"),
        ]
    )
    errors = [event for event in events if isinstance(event, StreamError)]
    assert len(errors) == 1 and isinstance(errors[0].error, RateLimited)
    assert "Too many requests" in errors[0].error.message
    assert events[-1] is errors[0]


def test_interleaved_tool_fragments_go_to_their_own_calls() -> None:
    frames = [
        event("toolUseEvent", {"toolUseId": "a", "name": "f", "input": '{"x":'}),
        event("toolUseEvent", {"toolUseId": "b", "name": "g", "input": '{"y":'}),
        event("toolUseEvent", {"toolUseId": "a", "name": "f", "input": "1}"}),
        event("toolUseEvent", {"toolUseId": "b", "name": "g", "input": "2}"}),
        event("toolUseEvent", {"toolUseId": "a", "stop": True}),
        event("toolUseEvent", {"toolUseId": "b", "stop": True}),
    ]
    calls = accumulate(_events(frames)).parts
    assert [(call.name, orjson.loads(call.arguments)) for call in calls] == [("f", {"x": 1}), ("g", {"y": 2})]

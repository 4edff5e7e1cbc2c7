"""stream.Parser: an Anthropic upstream's SSE stream becomes IR events."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from dragoman import sse
from dragoman.dialects.anthropic.stream import Parser
from dragoman.ir import errors
from dragoman.ir.events import Event, PartDelta, PartStart, PartStop, Start, Stop, StreamError, UsageUpdate
from dragoman.ir.messages import Text, Thinking, ToolCall
from dragoman.ir.response import accumulate
from dragoman.ir.usage import Usage


def frame(payload: dict[str, Any]) -> bytes:
    return sse.encode(orjson.dumps(payload), payload["type"])


def start(usage: dict[str, Any] | None = None) -> dict[str, Any]:
    message = {"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-x", "content": []}
    return {
        "type": "message_start",
        "message": {**message, "usage": usage or {"input_tokens": 5, "output_tokens": 1}},
    }


def block(index: int, content: dict[str, Any]) -> dict[str, Any]:
    return {"type": "content_block_start", "index": index, "content_block": content}


def delta(index: int, **content: Any) -> dict[str, Any]:
    return {"type": "content_block_delta", "index": index, "delta": content}


def stop(index: int) -> dict[str, Any]:
    return {"type": "content_block_stop", "index": index}


def finish(reason: str = "end_turn", **usage: Any) -> list[dict[str, Any]]:
    return [
        {"type": "message_delta", "delta": {"stop_reason": reason, "stop_sequence": None}, "usage": usage},
        {"type": "message_stop"},
    ]


def parse(*payloads: dict[str, Any], chunk: int = 7, close: bool = True) -> list[Event]:
    """Events of the stream of `payloads`, its bytes fed in small chunks as a socket gives them."""
    wire = b"".join(frame(payload) for payload in payloads)
    decoder, parser, events = sse.Decoder(), Parser("claude"), []
    for offset in range(0, len(wire), chunk):
        for event in decoder.feed(wire[offset : offset + chunk]):
            events += parser.feed(event)
    for event in decoder.flush():
        events += parser.feed(event)
    return events + (parser.close() if close else [])


def test_a_full_stream() -> None:
    events = parse(
        start({"input_tokens": 5, "cache_read_input_tokens": 100, "output_tokens": 1}),
        {"type": "ping"},
        block(0, {"type": "thinking", "thinking": "", "signature": ""}),
        delta(0, type="thinking_delta", thinking="hmm"),
        delta(0, type="signature_delta", signature="SIG"),
        stop(0),
        block(1, {"type": "text", "text": ""}),
        delta(1, type="text_delta", text="Hi"),
        delta(1, type="citations_delta", citation={"type": "char_location"}),
        stop(1),
        block(2, {"type": "tool_use", "id": "toolu_1", "name": "Read", "input": {}}),
        delta(2, type="input_json_delta", partial_json=""),
        delta(2, type="input_json_delta", partial_json='{"pa'),
        delta(2, type="input_json_delta", partial_json='th":"a"}'),
        stop(2),
        {"type": "a_new_event", "data": 1},
        *finish("tool_use", output_tokens=40),
    )
    full = Usage(input_tokens=105, output_tokens=40, cache_read_tokens=100)
    assert events == [
        Start("msg_1", "claude-x"),
        UsageUpdate(Usage(input_tokens=105, output_tokens=1, cache_read_tokens=100)),
        PartStart(0, Thinking(origin="claude")),
        PartDelta(0, text="hmm"),
        PartDelta(0, signature="SIG"),
        PartStop(0),
        PartStart(1, Text("")),
        PartDelta(1, text="Hi"),
        PartStop(1),
        PartStart(2, ToolCall("toolu_1", "Read")),
        PartDelta(2, text='{"pa'),
        PartDelta(2, text='th":"a"}'),
        PartStop(2),
        UsageUpdate(full),
        Stop("tool_use"),
    ]
    assert accumulate(events).parts[2] == ToolCall("toolu_1", "Read", '{"path":"a"}')


def test_redacted_thinking_arrives_whole() -> None:
    events = parse(start(), block(0, {"type": "redacted_thinking", "data": "OPAQUE"}), stop(0), *finish())
    assert events[2] == PartStart(0, Thinking(signature="OPAQUE", redacted=True, origin="claude"))


def test_server_tool_blocks_are_skipped_and_indexes_stay_positions() -> None:
    events = parse(
        start(),
        block(0, {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {}}),
        delta(0, type="input_json_delta", partial_json='{"query":"x"}'),
        stop(0),
        block(1, {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1", "content": []}),
        stop(1),
        block(2, {"type": "text", "text": ""}),
        delta(2, type="text_delta", text="found"),
        stop(2),
        *finish(),
    )
    assert [event for event in events if isinstance(event, PartStart | PartDelta | PartStop)] == [
        PartStart(0, Text("")),
        PartDelta(0, text="found"),
        PartStop(0),
    ]


def test_a_tool_call_without_arguments_gets_an_empty_object() -> None:
    events = parse(
        start(), block(0, {"type": "tool_use", "id": "t", "name": "now", "input": {}}), stop(0), *finish()
    )
    assert accumulate(events).parts == [ToolCall("t", "now", "{}")]


def test_usage_deltas_are_cumulative_and_keep_what_they_omit() -> None:
    events = parse(
        start({"input_tokens": 10, "cache_creation_input_tokens": 20, "output_tokens": 1}),
        {"type": "message_delta", "delta": {}, "usage": {"output_tokens": 5}},
        *finish(output_tokens=9, input_tokens=11),
    )
    updates = [event.usage for event in events if isinstance(event, UsageUpdate)]
    assert updates[-1] == Usage(input_tokens=31, output_tokens=9, cache_write_tokens=20)
    assert accumulate(events).usage == updates[-1]


def test_stop_sequence() -> None:
    events = parse(
        start(),
        {
            "type": "message_delta",
            "delta": {"stop_reason": "stop_sequence", "stop_sequence": "END"},
            "usage": {},
        },
        {"type": "message_stop"},
    )
    assert events[-1] == Stop("stop_sequence", "END")


@pytest.mark.parametrize(
    ("kind", "cls"),
    [
        ("overloaded_error", errors.UpstreamOverloaded),
        ("rate_limit_error", errors.RateLimited),
        ("api_error", errors.UpstreamError),
    ],
)
def test_an_error_event_ends_the_stream(kind: str, cls: type[errors.GatewayError]) -> None:
    events = parse(
        start(),
        block(0, {"type": "text", "text": ""}),
        {"type": "error", "error": {"type": kind, "message": "Overloaded"}},
        *finish(),
    )
    assert isinstance(events[-1], StreamError)
    assert type(events[-1].error) is cls
    assert events[-1].error.message == "Overloaded"
    assert not any(isinstance(event, Stop) for event in events)


def test_a_stream_cut_before_message_stop_is_an_error() -> None:
    events = parse(start(), block(0, {"type": "text", "text": ""}), delta(0, type="text_delta", text="Hi"))
    assert isinstance(events[-1], StreamError)
    assert type(events[-1].error) is errors.UpstreamError
    cut_after_delta = parse(start(), finish()[0])
    assert isinstance(cut_after_delta[-1], StreamError)


def test_close_after_message_stop_adds_nothing_and_later_events_are_ignored() -> None:
    parser = Parser("claude")
    for payload in [start(), *finish(), start()]:
        tail = parser.feed(sse.Event(data=orjson.dumps(payload).decode(), event=payload["type"]))
    assert tail == []
    assert parser.close() == []


def test_data_that_is_not_json_is_an_upstream_error() -> None:
    parser = Parser("claude")
    events = parser.feed(sse.Event(data="{oops", event="content_block_delta"))
    assert isinstance(events[0], StreamError)
    assert parser.close() == []

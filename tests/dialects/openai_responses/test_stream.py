from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dragoman import sse
from dragoman.dialects.openai_responses import stream
from dragoman.ir import Request, Response, Text, Thinking, Tool, ToolCall, Usage
from dragoman.ir.errors import RateLimited, UpstreamError, UpstreamRejected
from dragoman.ir.events import Event, PartDelta, PartStart, PartStop, Start, Stop, StreamError
from dragoman.ir.response import accumulate, replay
from tests.dialects.openai_responses.strategies import answering_request, responses, stamped
from tests.dialects.openai_responses.test_stream_render import render_events

TRANSCRIPTS = Path(__file__).parent / "transcripts"


def parse_bytes(data: bytes, origin: str = "openai", chunks: list[int] | None = None) -> list[Event]:
    """Bytes -> SSE decoder -> Parser, fed in the given chunk sizes."""
    decoder, parser = sse.Decoder(), stream.Parser(origin)
    events: list[Event] = []
    position = 0
    for size in chunks or [len(data)]:
        for event in decoder.feed(data[position : position + size]):
            events += parser.feed(event)
        position += size
    for event in decoder.feed(data[position:]) + decoder.flush():
        events += parser.feed(event)
    return events + parser.close()


def sse_of(*payloads: dict[str, Any]) -> bytes:
    return b"".join(sse.encode(orjson.dumps(p), event=p["type"]) for p in payloads)


CREATED = {"type": "response.created", "response": {"id": "resp_x", "model": "m", "status": "in_progress"}}


def completed(**response: Any) -> dict[str, Any]:
    return {
        "type": "response.completed",
        "response": {"id": "resp_x", "status": "completed", "output": [], **response},
    }


# --- Parser ------------------------------------------------------------------------


def test_parse_openai_transcript() -> None:
    events = parse_bytes((TRANSCRIPTS / "reasoning_text_tool.sse").read_bytes(), chunks=[7, 100, 3, 999])
    assert events[0] == Start(id="resp_1", model="gpt-5")
    assert events[1] == PartStart(0, Thinking(id="rs_1", origin="openai"))
    assert accumulate(events) == Response(
        id="resp_1",
        model="gpt-5",
        parts=[
            Thinking(text="**Plan**\n\nCheck the weather.", signature="gAAAAENC", id="rs_1", origin="openai"),
            Text("Let me check."),
            ToolCall(id="call_1", name="get_weather", arguments='{"city":"Paris"}'),
        ],
        stop_reason="tool_use",
        usage=Usage(input_tokens=120, output_tokens=60, cache_read_tokens=100, reasoning_tokens=40),
    )
    # Content flows in deltas: the text deltas arrive as the upstream sent them.
    assert [e.text for e in events if isinstance(e, PartDelta) and e.index == 1] == ["Let me ", "check."]


def test_parse_codex_transcript_with_empty_completed_output() -> None:
    events = parse_bytes((TRANSCRIPTS / "codex_custom_namespace.sse").read_bytes(), origin="codex")
    answer = accumulate(events)
    assert answer.parts == [
        Thinking(signature="ENC-C", id="rs_c", origin="codex"),
        ToolCall(
            id="call_p",
            name="apply_patch",
            arguments=orjson.dumps({"input": '*** Begin Patch\n*** Add File: "a.txt"\n'}).decode(),
        ),
        ToolCall(id="call_s", name="multi_agent_v1__spawn_agent", arguments='{"message":"hi"}'),
    ]
    assert (answer.stop_reason, answer.usage.input_tokens) == ("tool_use", 50)
    assert isinstance(events[-1], Stop)


def test_stream_closed_before_a_terminal_event_is_an_error() -> None:
    events = parse_bytes(
        sse_of(CREATED, {"type": "response.output_text.delta", "output_index": 0, "delta": "hi"})
    )
    assert isinstance(events[-1], StreamError)
    assert isinstance(events[-1].error, UpstreamError)
    assert "before response.completed" in events[-1].error.message


def test_error_event_ends_the_stream_with_the_right_class() -> None:
    error = {
        "type": "error",
        "code": "rate_limit_exceeded",
        "message": "Rate limit. Please try again in 1.5s.",
    }
    events = parse_bytes(sse_of(CREATED, error, completed()))
    assert isinstance(events[-1], StreamError)
    assert isinstance(events[-1].error, RateLimited) and events[-1].error.retry_after == 1.5
    assert not any(isinstance(e, Stop) for e in events), "nothing after the error"


def test_response_failed_carries_its_error() -> None:
    failed = {
        "type": "response.failed",
        "response": {"status": "failed", "error": {"code": "invalid_prompt", "message": "no"}},
    }
    events = parse_bytes(sse_of(CREATED, failed))
    assert isinstance(events[-1], StreamError) and isinstance(events[-1].error, UpstreamRejected)
    assert events[-1].error.message == "no"


@pytest.mark.parametrize(
    ("terminal", "reason"),
    [
        (
            {
                "type": "response.incomplete",
                "response": {"status": "incomplete", "incomplete_details": {"reason": "max_output_tokens"}},
            },
            "max_tokens",
        ),
        (
            {
                "type": "response.incomplete",
                "response": {"status": "incomplete", "incomplete_details": {"reason": "content_filter"}},
            },
            "refusal",
        ),
        (completed(), "end_turn"),
    ],
)
def test_terminal_events_give_the_stop_reason(terminal: dict[str, Any], reason: str) -> None:
    events = parse_bytes(sse_of(CREATED, terminal))
    assert events[-1] == Stop(reason)  # type: ignore[arg-type]


def test_refusal_is_text_with_a_refusal_stop() -> None:
    events = parse_bytes(
        sse_of(
            CREATED,
            {
                "type": "response.output_item.added",
                "output_index": 0,
                "item": {"type": "message", "id": "m", "content": []},
            },
            {
                "type": "response.content_part.added",
                "output_index": 0,
                "content_index": 0,
                "part": {"type": "refusal", "refusal": ""},
            },
            {"type": "response.refusal.delta", "output_index": 0, "content_index": 0, "delta": "I can't."},
            completed(),
        )
    )
    answer = accumulate(events)
    assert (answer.parts, answer.stop_reason) == ([Text("I can't.")], "refusal")


def test_items_sent_whole_are_filled_from_their_done_events() -> None:
    message = {
        "type": "message",
        "id": "m",
        "role": "assistant",
        "content": [{"type": "output_text", "text": "whole"}],
    }
    reasoning = {"type": "reasoning", "id": "rs", "summary": [{"type": "summary_text", "text": "thought"}]}
    events = parse_bytes(
        sse_of(
            CREATED,
            {"type": "response.output_item.done", "output_index": 0, "item": reasoning},
            {"type": "response.output_item.done", "output_index": 1, "item": message},
            completed(),
        )
    )
    assert accumulate(events).parts == [Thinking(text="thought", id="rs", origin="openai"), Text("whole")]


def test_items_only_in_the_final_response_are_used() -> None:
    output = [{"type": "message", "content": [{"type": "output_text", "text": "late"}]}]
    events = parse_bytes(sse_of(CREATED, completed(output=output)))
    assert accumulate(events).parts == [Text("late")]


def test_raw_reasoning_text_and_unknown_events() -> None:
    events = parse_bytes(
        sse_of(
            CREATED,
            {
                "type": "response.output_item.added",
                "output_index": 0,
                "item": {"type": "reasoning", "id": "rs"},
            },
            {"type": "response.reasoning_text.delta", "output_index": 0, "content_index": 0, "delta": "raw "},
            {
                "type": "response.reasoning_text.delta",
                "output_index": 0,
                "content_index": 0,
                "delta": "thought",
            },
            {"type": "response.future_feature.delta", "output_index": 0, "delta": "?"},
            {
                "type": "response.output_item.done",
                "output_index": 0,
                "item": {"type": "reasoning", "id": "rs", "content": []},
            },
            completed(),
        )
        + b"data: [DONE]\n\n"
    )
    assert accumulate(events).parts == [Thinking(text="raw thought", id="rs", origin="openai")]


def test_thinking_parts_are_stamped_with_the_origin() -> None:
    events = parse_bytes((TRANSCRIPTS / "reasoning_text_tool.sse").read_bytes(), origin="chatgpt")
    assert all(
        e.part.origin == "chatgpt"
        for e in events
        if isinstance(e, PartStart) and isinstance(e.part, Thinking)
    )


def test_client_tool_search_call_round_trips_as_its_own_item() -> None:
    item = {
        "type": "tool_search_call",
        "id": "tsc_1",
        "call_id": "call_ts1",
        "execution": "client",
        "arguments": {"query": "q"},
    }
    events = parse_bytes(
        sse_of(
            CREATED,
            {"type": "response.output_item.added", "output_index": 0, "item": {**item, "arguments": {}}},
            {"type": "response.output_item.done", "output_index": 0, "item": item},
            completed(),
        )
    )
    answer = accumulate(events)
    assert (answer.parts, answer.stop_reason) == (
        [ToolCall("call_ts1", "tool_search", '{"query":"q"}')],
        "tool_use",
    )
    request = Request(model="m", tools=[Tool(name="tool_search", type="native", raw={"type": "tool_search"})])
    payloads = render_events(request, list(replay(answer)))
    assert [p["type"] for p in payloads[2:]] == [
        "response.output_item.added",
        "response.output_item.done",
        "response.completed",
    ]
    assert payloads[3]["item"] | {"id": "x"} == {**item, "id": "x", "status": "completed"}


def test_parts_left_open_are_closed_at_completion() -> None:
    custom = {"type": "custom_tool_call", "call_id": "c", "name": "apply_patch", "input": ""}
    events = parse_bytes(
        sse_of(
            CREATED,
            {"type": "response.output_item.added", "output_index": 0, "item": custom},
            {"type": "response.custom_tool_call_input.delta", "output_index": 0, "delta": "x"},
            completed(),
        )
    )
    assert accumulate(events).parts == [ToolCall("c", "apply_patch", '{"input":"x"}')]
    assert isinstance(events[-3], PartStop)


@settings(max_examples=150)
@given(responses(), st.lists(st.integers(1, 64), max_size=20))
def test_round_trip_through_our_own_stream(answer: Response, chunks: list[int]) -> None:
    """IR -> Renderer -> bytes (in any chunking) -> Decoder -> Parser -> accumulate is lossless."""
    renderer = stream.Renderer(answering_request())
    data = b"".join(renderer.render(event) for event in replay(copy.deepcopy(answer)))
    assert accumulate(parse_bytes(data, origin="up", chunks=chunks)) == stamped(answer, "up")

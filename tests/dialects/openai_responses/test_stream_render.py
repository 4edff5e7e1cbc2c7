from __future__ import annotations

from typing import Any

import orjson
import pytest

from dragoman import sse
from dragoman.dialects.openai_responses import stream
from dragoman.dialects.openai_responses.tools import parse_tools
from dragoman.ir import Request, Response, Text, Thinking, Tool, ToolCall, Usage
from dragoman.ir.errors import RateLimited
from dragoman.ir.events import Event, PartDelta, PartStart, PartStop, Start, Stop, StreamError, UsageUpdate
from dragoman.ir.response import replay

# --- Renderer ----------------------------------------------------------------------


def render_events(request: Request, events: list[Event]) -> list[dict[str, Any]]:
    renderer = stream.Renderer(request)
    data = b"".join(renderer.render(event) for event in events)
    decoded = sse.Decoder().feed(data)
    payloads = [orjson.loads(e.data) for e in decoded]
    assert [e.event for e in decoded] == [p["type"] for p in payloads]
    return payloads


def test_renderer_emits_the_canonical_order() -> None:
    answer = Response(
        id="resp_7",
        model="gpt-5",
        parts=[
            Thinking(text="hmm", signature="SIG", id="rs_7", origin="openai"),
            Text("Hi"),
            ToolCall("call_1", "f", '{"a":1}'),
        ],
        stop_reason="tool_use",
        usage=Usage(input_tokens=5, output_tokens=7),
    )
    payloads = render_events(Request(model="gpt-5", source="openai_responses"), list(replay(answer)))
    assert [p["type"] for p in payloads] == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.reasoning_summary_part.added",
        "response.reasoning_summary_text.delta",
        "response.reasoning_summary_text.done",
        "response.reasoning_summary_part.done",
        "response.output_item.done",
        "response.output_item.added",
        "response.content_part.added",
        "response.output_text.delta",
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.output_item.added",
        "response.function_call_arguments.delta",
        "response.function_call_arguments.done",
        "response.output_item.done",
        "response.completed",
    ]
    assert [p["sequence_number"] for p in payloads] == list(range(len(payloads)))
    items = [p for p in payloads if p["type"] == "response.output_item.added"]
    assert [(p["output_index"], p["item"]["type"], p["item"]["id"][:3]) for p in items] == [
        (0, "reasoning", "rs_"),
        (1, "message", "msg"),
        (2, "function_call", "fc_"),
    ]
    created, in_progress, done = payloads[0]["response"], payloads[1]["response"], payloads[-1]["response"]
    assert created["status"] == in_progress["status"] == "in_progress" and created["output"] == []
    assert created["id"] == done["id"] == "resp_7"
    assert done["status"] == "completed" and done["usage"]["total_tokens"] == 12
    assert [i["type"] for i in done["output"]] == ["reasoning", "message", "function_call"]
    assert done["output"][0]["encrypted_content"] == "dgm2~openai~rs_7~SIG"
    text_events = [p for p in payloads if p["type"].startswith("response.output_text")]
    assert all(
        (p["item_id"], p["output_index"], p["content_index"]) == (items[1]["item"]["id"], 1, 0)
        for p in text_events
    )


def test_consecutive_text_parts_share_a_message() -> None:
    answer = Response(parts=[Text("a"), Text("b")], stop_reason="end_turn")
    payloads = render_events(Request(model="m"), list(replay(answer)))
    added = [p for p in payloads if p["type"] == "response.content_part.added"]
    assert [p["content_index"] for p in added] == [0, 1]
    assert len({p["output_index"] for p in added}) == 1


def test_custom_tool_calls_stream_their_input() -> None:
    request = Request(model="m", tools=[Tool(name="apply_patch", type="custom")])
    answer = Response(
        parts=[ToolCall("call_c", "apply_patch", '{"input":"*** Begin"}')], stop_reason="tool_use"
    )
    payloads = render_events(request, list(replay(answer)))
    assert [p["type"] for p in payloads[2:-1]] == [
        "response.output_item.added",
        "response.custom_tool_call_input.delta",
        "response.custom_tool_call_input.done",
        "response.output_item.done",
    ]
    assert payloads[-2]["item"] | {"id": "x"} == {
        "type": "custom_tool_call",
        "id": "x",
        "call_id": "call_c",
        "name": "apply_patch",
        "input": "*** Begin",
        "status": "completed",
    }


def test_namespaced_calls_go_back_with_their_namespace() -> None:
    namespace = {
        "type": "namespace",
        "name": "clock",
        "description": "",
        "tools": [{"type": "function", "name": "sleep"}],
    }
    request = Request(model="m", tools=parse_tools([namespace], "tools"), source="openai_responses")
    payloads = render_events(
        request,
        list(replay(Response(parts=[ToolCall("call_c", "clock__sleep", "{}")], stop_reason="tool_use"))),
    )
    item = payloads[-2]["item"]
    assert (item["name"], item["namespace"]) == ("sleep", "clock")


@pytest.mark.parametrize(
    ("reason", "event", "details"),
    [
        ("max_tokens", "response.incomplete", "max_output_tokens"),
        ("refusal", "response.incomplete", "content_filter"),
    ],
)
def test_incomplete_stops(reason: str, event: str, details: str) -> None:
    payloads = render_events(
        Request(model="m"), [Start("r", "m"), PartStart(0, Text("")), PartDelta(0, "x"), Stop(reason)]
    )  # type: ignore[arg-type]
    assert payloads[-1]["type"] == event
    assert payloads[-1]["response"]["incomplete_details"] == {"reason": details}
    # The open text part and message were closed before the terminal event.
    assert [p["type"] for p in payloads[-4:-1]] == [
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
    ]


def test_stream_error_becomes_response_failed_and_ends_the_stream() -> None:
    renderer = stream.Renderer(Request(model="m"))
    data = renderer.render(Start("resp_e", "m")) + renderer.render(PartStart(0, Text("")))
    data += renderer.render(StreamError(RateLimited("Slow down")))
    assert renderer.render(Stop()) == b""
    payloads = [orjson.loads(e.data) for e in sse.Decoder().feed(data)]
    assert payloads[-1]["type"] == "response.failed"
    assert payloads[-1]["response"]["status"] == "failed"
    assert payloads[-1]["response"]["error"] == {"code": "rate_limit_exceeded", "message": "Slow down"}


def test_first_event_other_than_start_still_opens_the_response() -> None:
    payloads = render_events(
        Request(model="gpt-x"), [PartStart(0, Text("")), PartDelta(0, "hi"), UsageUpdate(Usage(1, 1)), Stop()]
    )
    assert payloads[0]["type"] == "response.created" and payloads[0]["response"]["model"] == "gpt-x"
    assert payloads[0]["response"]["id"].startswith("resp_")


def test_keepalive_is_an_sse_comment() -> None:
    keepalive = stream.Renderer(Request(model="m")).keepalive()
    assert keepalive.startswith(b":") and keepalive.endswith(b"\n\n")
    assert sse.Decoder().feed(keepalive) == []


def test_parts_of_parallel_calls_may_interleave() -> None:
    events = [
        Start("r", "m"),
        PartStart(0, ToolCall("call_a", "f")),
        PartStart(1, ToolCall("call_b", "g")),
        PartDelta(0, '{"x":'),
        PartDelta(1, "{}"),
        PartDelta(0, "1}"),
        PartStop(1),
        PartStop(0),
        Stop("tool_use"),
    ]
    payloads = render_events(Request(model="m"), events)
    done = payloads[-1]["response"]["output"]
    assert [(i["call_id"], i["arguments"]) for i in done] == [("call_a", '{"x":1}'), ("call_b", "{}")]


def test_text_deltas_are_the_bytes_of_their_json() -> None:
    # A text's deltas are drawn from bytes kept around the piece and its sequence number:
    # byte for byte what serializing the whole event gives, whatever the text holds.
    texts = ['say "hi"\\', "\x00\n\u2028", "é🙂", "0"]
    renderer = stream.Renderer(Request(model="m", stream=True))
    drawn = [renderer.render(event) for event in [Start("resp_1", "m"), PartStart(0, Text(""))]]
    sequence = sum(frame.count(b"\ndata: ") for frame in drawn)
    item_id = orjson.loads(sse.Decoder().feed(drawn[1])[0].data)["item"]["id"]
    for number, text in enumerate(texts):
        delta = {
            "type": "response.output_text.delta",
            "item_id": item_id,
            "output_index": 0,
            "content_index": 0,
            "delta": text,
            "logprobs": [],
            "sequence_number": sequence + number,
        }
        expected = b"event: response.output_text.delta\ndata: " + orjson.dumps(delta) + b"\n\n"
        assert renderer.render(PartDelta(0, text)) == expected
    done = sse.Decoder().feed(renderer.render(PartStop(0)))
    assert orjson.loads(done[0].data)["text"] == "".join(texts)

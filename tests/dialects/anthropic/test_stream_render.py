"""stream.Renderer: IR events become Anthropic's SSE stream, in Anthropic's exact order."""

from __future__ import annotations

from typing import Any

import orjson

from dragoman import sse
from dragoman.dialects.anthropic.stream import Renderer
from dragoman.ir import errors
from dragoman.ir.events import Event, PartDelta, PartStart, PartStop, Start, Stop, StreamError, UsageUpdate
from dragoman.ir.messages import Image, Text, Thinking, ToolCall
from dragoman.ir.request import Request
from dragoman.ir.usage import Usage


def run(*events: Event, renderer: Renderer | None = None) -> list[tuple[str, dict[str, Any]]]:
    """The (event name, payload) pairs the client receives."""
    renderer = renderer or Renderer(Request(model="asked-for"))
    wire = b"".join(renderer.render(event) for event in events)
    decoded = sse.Decoder().feed(wire)
    pairs = [(event.event or "", orjson.loads(event.data)) for event in decoded]
    assert all(payload["type"] == name for name, payload in pairs)
    return pairs


def names(pairs: list[tuple[str, dict[str, Any]]]) -> list[str]:
    return [
        f"{name}:{payload['delta']['type']}" if name == "content_block_delta" else name
        for name, payload in pairs
    ]


USAGE = Usage(
    input_tokens=1000, output_tokens=50, cache_read_tokens=800, cache_write_tokens=100, reasoning_tokens=20
)


def test_exact_order_for_thinking_text_and_a_tool_call() -> None:
    pairs = run(
        Start("msg_1", "claude-x"),
        UsageUpdate(Usage(input_tokens=1000, cache_read_tokens=800, cache_write_tokens=100)),
        PartStart(0, Thinking(origin="claude")),
        PartDelta(0, text="let me "),
        PartDelta(0, signature="SIG"),
        PartDelta(0, text="think"),
        PartStop(0),
        PartStart(1, Text("")),
        PartDelta(1, text="Hi"),
        PartStop(1),
        PartStart(2, ToolCall("toolu_1", "Read")),
        PartDelta(2, text='{"path":'),
        PartDelta(2, text='"a"}'),
        PartStop(2),
        UsageUpdate(USAGE),
        Stop("tool_use"),
    )
    assert names(pairs) == [
        "message_start",
        "ping",
        "content_block_start",
        "content_block_delta:thinking_delta",
        "content_block_delta:thinking_delta",
        "content_block_delta:signature_delta",
        "content_block_stop",
        "content_block_start",
        "content_block_delta:text_delta",
        "content_block_stop",
        "content_block_start",
        "content_block_delta:input_json_delta",
        "content_block_delta:input_json_delta",
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]
    message = pairs[0][1]["message"]
    assert (message["id"], message["model"], message["content"], message["stop_reason"]) == (
        "msg_1",
        "claude-x",
        [],
        None,
    )
    assert message["usage"] == {
        "input_tokens": 100,
        "cache_creation_input_tokens": 100,
        "cache_read_input_tokens": 800,
        "cache_creation": {"ephemeral_5m_input_tokens": 100, "ephemeral_1h_input_tokens": 0},
        "output_tokens": 0,
    }
    assert pairs[2][1] == {
        "type": "content_block_start",
        "index": 0,
        "content_block": {"type": "thinking", "thinking": "", "signature": ""},
    }
    assert pairs[5][1]["delta"] == {"type": "signature_delta", "signature": "dgm2~claude~~SIG"}
    assert pairs[10][1]["content_block"] == {"type": "tool_use", "id": "toolu_1", "name": "Read", "input": {}}
    assert [payload["index"] for name, payload in pairs if name == "content_block_stop"] == [0, 1, 2]
    assert pairs[-2][1] == {
        "type": "message_delta",
        "delta": {"stop_reason": "tool_use", "stop_sequence": None},
        "usage": {
            "input_tokens": 100,
            "cache_creation_input_tokens": 100,
            "cache_read_input_tokens": 800,
            "cache_creation": {"ephemeral_5m_input_tokens": 100, "ephemeral_1h_input_tokens": 0},
            "output_tokens": 50,
            "output_tokens_details": {"thinking_tokens": 20},
        },
    }


def test_usage_known_only_at_the_end_still_reaches_message_delta() -> None:
    pairs = run(Start("m", "x"), PartStart(0, Text("")), PartStop(0), UsageUpdate(USAGE), Stop("end_turn"))
    assert pairs[0][1]["message"]["usage"]["input_tokens"] == 0
    assert pairs[-2][1]["usage"]["input_tokens"] == 100


def test_redacted_thinking_arrives_complete_in_its_start() -> None:
    pairs = run(
        Start("m", "x"), PartStart(0, Thinking(signature="OPAQUE", redacted=True, origin="g")), PartStop(0)
    )
    assert pairs[2][1]["content_block"] == {"type": "redacted_thinking", "data": "dgm2~g~~OPAQUE"}
    assert names(pairs)[3:] == ["content_block_stop"]


def test_parallel_tool_calls_go_out_one_block_at_a_time() -> None:
    pairs = run(
        Start("m", "x"),
        PartStart(0, ToolCall("a", "f")),
        PartStart(1, ToolCall("b", "g")),
        PartDelta(1, text='{"y":'),
        PartDelta(0, text='{"x":1}'),
        PartDelta(1, text="2}"),
        PartStop(1),
        PartStop(0),
        Stop("tool_use"),
    )
    blocks = [
        (name, payload.get("index"), payload.get("delta", {}).get("partial_json"))
        for name, payload in pairs[2:-2]
    ]
    assert blocks == [
        ("content_block_start", 0, None),
        ("content_block_delta", 0, '{"x":1}'),
        ("content_block_stop", 0, None),
        ("content_block_start", 1, None),
        ("content_block_delta", 1, '{"y":'),
        ("content_block_delta", 1, "2}"),
        ("content_block_stop", 1, None),
    ]


def test_parts_left_open_are_closed_before_the_end() -> None:
    pairs = run(
        Start("m", "x"), PartStart(0, Text("")), PartDelta(0, text="a"), PartStart(1, Text("")), Stop()
    )
    assert names(pairs)[2:] == [
        "content_block_start",
        "content_block_delta:text_delta",
        "content_block_stop",
        "content_block_start",
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]


def test_parts_an_anthropic_message_cannot_hold_are_skipped_without_a_gap() -> None:
    pairs = run(
        Start("m", "x"),
        PartStart(0, Image(url="https://x/i.png")),
        PartStop(0),
        PartStart(1, Text("")),
        PartDelta(1, text="a"),
        PartStop(1),
        Stop(),
    )
    assert [payload["index"] for name, payload in pairs if name == "content_block_start"] == [0]


def test_a_stream_with_no_parts() -> None:
    pairs = run(Start("m", "x"), Stop("max_tokens"))
    assert names(pairs) == ["message_start", "ping", "message_delta", "message_stop"]
    assert pairs[2][1]["delta"]["stop_reason"] == "max_tokens"


def test_a_tool_call_makes_the_stop_reason_tool_use() -> None:
    pairs = run(Start("m", "x"), PartStart(0, ToolCall("a", "f")), PartStop(0), Stop("end_turn"))
    assert pairs[-2][1]["delta"]["stop_reason"] == "tool_use"


def test_a_stream_error_is_an_error_event_and_the_end() -> None:
    renderer = Renderer(Request(model="m"))
    pairs = run(
        Start("m", "x"),
        PartStart(0, Text("")),
        PartDelta(0, text="partial"),
        StreamError(errors.UpstreamOverloaded("Overloaded")),
        renderer=renderer,
    )
    assert pairs[-1] == (
        "error",
        {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}},
    )
    assert renderer.render(Stop()) == b""
    assert renderer.keepalive() == b""


def test_an_error_before_anything_else_is_only_the_error_event() -> None:
    assert names(run(StreamError(errors.RateLimited("slow")))) == ["error"]


def test_keepalive() -> None:
    renderer = Renderer(Request(model="m"))
    assert renderer.keepalive().startswith(b":")  # nothing known yet: an SSE comment
    renderer.render(Start("m", "x"))
    assert [event.event for event in sse.Decoder().feed(renderer.keepalive())] == ["message_start", "ping"]
    assert sse.Decoder().feed(renderer.keepalive())[0].event == "ping"


def test_missing_ids_and_models_are_filled_in() -> None:
    pairs = run(Start("", ""), PartStart(0, ToolCall("", "f")), PartStop(0), Stop())
    assert pairs[0][1]["message"]["id"].startswith("msg_")
    assert pairs[0][1]["message"]["model"] == "asked-for"
    assert pairs[2][1]["content_block"]["id"].startswith("toolu_")


SIGNED_TEXT: tuple[Event, ...] = (
    # Gemini signs the last text part of an answer: the IR has a signature-only thinking after it.
    Start("m", "gemini-3-pro-preview"),
    PartStart(0, Text("")),
    PartDelta(0, text="Hi"),
    PartStop(0),
    PartStart(1, Thinking(origin="gemini")),
    PartDelta(1, signature="SIG"),
    PartStop(1),
)


def blocks(pairs: list[tuple[str, dict[str, Any]]]) -> list[tuple[int, str]]:
    return [(p["index"], p["content_block"]["type"]) for name, p in pairs if name == "content_block_start"]


def test_a_message_never_ends_with_a_thinking_block() -> None:
    """Claude Code prints the last block as its answer: a trailing thinking would blank it."""
    pairs = run(*SIGNED_TEXT, Stop())
    assert blocks(pairs) == [(0, "text")]
    assert names(pairs)[-2:] == ["message_delta", "message_stop"]


def test_a_thinking_after_text_goes_out_once_a_part_follows_it() -> None:
    pairs = run(
        *SIGNED_TEXT,
        PartStart(2, ToolCall("call_1", "Read")),
        PartDelta(2, text="{}"),
        PartStop(2),
        Stop("tool_use"),
    )
    assert blocks(pairs) == [(0, "text"), (1, "thinking"), (2, "tool_use")]
    [signature] = [
        p["delta"]["signature"] for n, p in pairs if p.get("delta", {}).get("type") == "signature_delta"
    ]
    assert signature == "dgm2~gemini~~SIG"


def test_delta_events_are_the_bytes_of_their_json() -> None:
    # A block's deltas are drawn from bytes kept around their text: byte for byte what
    # serializing the whole event gives, whatever the text holds.
    texts = ['say "hi"\\', "\x00\n\u2028", "é🙂"]
    renderer = Renderer(Request(model="m", stream=True))
    parts: list[Text | Thinking | ToolCall] = [Thinking(""), Text(""), ToolCall("toolu_1", "read")]
    fields = [("thinking_delta", "thinking"), ("text_delta", "text"), ("input_json_delta", "partial_json")]
    renderer.render(Start("msg_1", "m"))
    for index, (part, (kind, field)) in enumerate(zip(parts, fields, strict=True)):
        renderer.render(PartStart(index, part))
        for text in texts:
            delta = {"type": "content_block_delta", "index": index, "delta": {"type": kind, field: text}}
            expected = b"event: content_block_delta\ndata: " + orjson.dumps(delta) + b"\n\n"
            assert renderer.render(PartDelta(index, text)) == expected
        renderer.render(PartStop(index))

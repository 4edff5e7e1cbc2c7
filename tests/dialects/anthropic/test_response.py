"""response.parse and response.render: whole Anthropic messages <-> ir.Response."""

from __future__ import annotations

from typing import Any

import pytest

from dragoman.dialects.anthropic import response
from dragoman.ir.errors import UpstreamError
from dragoman.ir.messages import Image, Text, Thinking, ToolCall
from dragoman.ir.request import Request
from dragoman.ir.response import Response
from dragoman.ir.usage import Usage

UPSTREAM_MESSAGE: dict[str, Any] = {
    "id": "msg_01",
    "type": "message",
    "role": "assistant",
    "model": "claude-sonnet-4-5",
    "content": [
        {"type": "thinking", "thinking": "let me look", "signature": "SIG"},
        {"type": "redacted_thinking", "data": "REDACTED"},
        {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {"query": "x"}},
        {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1", "content": []},
        {"type": "text", "text": "Paris", "citations": [{"type": "web_search_result_location"}]},
        {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}},
        {"type": "tool_use", "id": "toolu_2", "name": "now", "input": {}},
    ],
    "stop_reason": "tool_use",
    "stop_sequence": None,
    "usage": {
        "input_tokens": 10,
        "cache_creation_input_tokens": 200,
        "cache_read_input_tokens": 3000,
        "output_tokens": 50,
        "output_tokens_details": {"thinking_tokens": 30},
    },
}


def test_parse_an_upstream_message() -> None:
    parsed = response.parse(UPSTREAM_MESSAGE, origin="claude")
    assert parsed == Response(
        id="msg_01",
        model="claude-sonnet-4-5",
        parts=[
            Thinking("let me look", "SIG", origin="claude"),
            Thinking("", "REDACTED", redacted=True, origin="claude"),
            Text("Paris"),
            ToolCall("toolu_1", "get_weather", '{"city":"Paris"}'),
            ToolCall("toolu_2", "now", "{}"),
        ],
        stop_reason="tool_use",
        usage=Usage(
            input_tokens=3210,
            output_tokens=50,
            cache_read_tokens=3000,
            cache_write_tokens=200,
            reasoning_tokens=30,
        ),
    )


@pytest.mark.parametrize(
    ("wire", "ir"),
    [
        ("end_turn", "end_turn"),
        ("max_tokens", "max_tokens"),
        ("stop_sequence", "stop_sequence"),
        ("tool_use", "tool_use"),
        ("pause_turn", "pause_turn"),
        ("refusal", "refusal"),
        ("model_context_window_exceeded", "context_window"),
        ("a_reason_from_the_future", "end_turn"),
    ],
)
def test_stop_reasons(wire: str, ir: str) -> None:
    body = {**UPSTREAM_MESSAGE, "content": [{"type": "text", "text": "x"}], "stop_reason": wire}
    assert response.parse(body, origin="claude").stop_reason == ir
    if wire != "a_reason_from_the_future":
        rendered = response.render(Response(parts=[Text("x")], stop_reason=ir), Request(model="m"))  # type: ignore[arg-type]
        assert rendered["stop_reason"] == wire


def test_a_stop_sequence_is_kept() -> None:
    body = {**UPSTREAM_MESSAGE, "stop_reason": "stop_sequence", "stop_sequence": "END", "content": []}
    parsed = response.parse(body, origin="claude")
    assert (parsed.stop_reason, parsed.stop_sequence) == ("stop_sequence", "END")


@pytest.mark.parametrize("body", [[], {"content": "text"}, {"type": "error"}])
def test_an_answer_that_is_not_a_message_is_an_upstream_error(body: Any) -> None:
    with pytest.raises(UpstreamError):
        response.parse(body, origin="claude")


def test_render_for_a_client() -> None:
    answer = Response(
        id="resp_9",
        model="gpt-5",
        parts=[
            Thinking("why", "ENC", id="rs_1", origin="codex"),
            Thinking("", "OPAQUE", redacted=True),
            Text("hello"),
            ToolCall("call_1", "run", "not json"),
            Image(url="https://x/i.png"),
        ],
        stop_reason="end_turn",
        usage=Usage(input_tokens=100, output_tokens=7, cache_read_tokens=60, cache_write_tokens=10),
    )
    rendered = response.render(answer, Request(model="asked"))
    # Another dialect's ids are shown in Anthropic's form (dialects.ids).
    assert rendered.pop("id").startswith("msg_")
    assert rendered == {
        "type": "message",
        "role": "assistant",
        "model": "gpt-5",
        "content": [
            {"type": "thinking", "thinking": "why", "signature": "dgm2~codex~rs_1~ENC"},
            {"type": "redacted_thinking", "data": "OPAQUE"},
            {"type": "text", "text": "hello"},
            {"type": "tool_use", "id": "toolu_dgm_call_1", "name": "run", "input": {"input": "not json"}},
        ],
        "stop_reason": "tool_use",  # a tool call ends a turn that the upstream called finished
        "stop_sequence": None,
        "usage": {
            "input_tokens": 30,
            "cache_creation_input_tokens": 10,
            "cache_read_input_tokens": 60,
            "cache_creation": {"ephemeral_5m_input_tokens": 10, "ephemeral_1h_input_tokens": 0},
            "output_tokens": 7,
        },
    }


def test_render_fills_a_missing_id_and_model() -> None:
    rendered = response.render(Response(parts=[ToolCall("", "f", "{}")]), Request(model="asked"))
    assert rendered["id"].startswith("msg_")
    assert rendered["model"] == "asked"
    assert rendered["content"][0]["id"].startswith("toolu_")


def test_render_never_ends_a_message_with_thinking() -> None:
    """Gemini signs the last text of an answer (a signature-only thinking after it in the IR);
    Claude Code prints the last block as the answer, so that thinking is left out."""
    signed = Response(
        parts=[Thinking("plan", "S1", origin="g"), Text("done"), Thinking("", "S2", origin="g")]
    )
    content = response.render(signed, Request(model="m"))["content"]
    assert [block["type"] for block in content] == ["thinking", "text"]
    alone = response.render(Response(parts=[Thinking("", "S3", origin="g")]), Request(model="m"))["content"]
    assert [block["type"] for block in alone] == ["thinking"]

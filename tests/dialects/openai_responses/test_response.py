from __future__ import annotations

import copy

import orjson
import pytest
from hypothesis import given, settings

from dragoman.dialects.openai_responses import response
from dragoman.ir import Request, Response, Text, Thinking, Tool, ToolCall, Usage
from dragoman.ir.errors import RateLimited
from tests.dialects.openai_responses.strategies import answering_request, responses, stamped

BODY = {
    "id": "resp_1",
    "object": "response",
    "status": "completed",
    "model": "gpt-5",
    "output": [
        {
            "type": "reasoning",
            "id": "rs_1",
            "summary": [{"type": "summary_text", "text": "a"}, {"type": "summary_text", "text": "b"}],
            "encrypted_content": "ENC",
        },
        {
            "type": "message",
            "id": "msg_1",
            "role": "assistant",
            "status": "completed",
            "content": [{"type": "output_text", "text": "Hi", "annotations": []}],
        },
        {
            "type": "function_call",
            "id": "fc_1",
            "call_id": "call_1",
            "name": "f",
            "arguments": "{}",
            "status": "completed",
        },
        {
            "type": "web_search_call",
            "id": "ws_1",
            "status": "completed",
            "action": {"type": "search", "query": "q"},
        },
    ],
    "usage": {
        "input_tokens": 100,
        "input_tokens_details": {"cached_tokens": 40},
        "output_tokens": 30,
        "output_tokens_details": {"reasoning_tokens": 20},
        "total_tokens": 130,
    },
}


def test_parse_output_items_usage_and_stop_reason() -> None:
    parsed = response.parse(BODY, origin="openai")
    assert parsed == Response(
        id="resp_1",
        model="gpt-5",
        parts=[
            Thinking(text="a\n\nb", signature="ENC", id="rs_1", origin="openai"),
            Text("Hi"),
            ToolCall(id="call_1", name="f", arguments="{}"),
        ],
        stop_reason="tool_use",
        usage=Usage(input_tokens=100, output_tokens=30, cache_read_tokens=40, reasoning_tokens=20),
    )


@pytest.mark.parametrize(
    ("status", "details", "output", "reason"),
    [
        ("completed", None, [], "end_turn"),
        ("incomplete", {"reason": "max_output_tokens"}, [], "max_tokens"),
        ("incomplete", {"reason": "content_filter"}, [], "refusal"),
        (
            "completed",
            None,
            [{"type": "message", "content": [{"type": "refusal", "refusal": "No."}]}],
            "refusal",
        ),
        (
            "completed",
            None,
            [{"type": "custom_tool_call", "call_id": "c", "name": "p", "input": "x"}],
            "tool_use",
        ),
    ],
)
def test_stop_reasons(status: str, details: object, output: list, reason: str) -> None:
    body = {"id": "r", "status": status, "incomplete_details": details, "output": output}
    assert response.parse(body, origin="o").stop_reason == reason


def test_custom_and_namespaced_calls() -> None:
    body = {
        "status": "completed",
        "output": [
            {"type": "custom_tool_call", "call_id": "c1", "name": "apply_patch", "input": 'say "hi"'},
            {
                "type": "function_call",
                "call_id": "c2",
                "name": "sleep",
                "namespace": "clock",
                "arguments": "{}",
            },
        ],
    }
    parts = response.parse(body, origin="o").parts
    assert parts == [
        ToolCall("c1", "apply_patch", '{"input":"say \\"hi\\""}'),
        ToolCall("c2", "clock__sleep", "{}"),
    ]


def test_failed_response_raises_its_error() -> None:
    body = {
        "status": "failed",
        "error": {"code": "rate_limit_exceeded", "message": "Slow down. Please try again in 2s."},
    }
    with pytest.raises(RateLimited) as caught:
        response.parse(body, origin="o")
    assert caught.value.retry_after == 2.0


def test_render_shape() -> None:
    request = Request(
        model="gpt-5", tools=[Tool(name="apply_patch", type="custom")], source="openai_responses"
    )
    answer = Response(
        id="resp_9",
        model="gpt-5",
        parts=[
            Thinking(text="t", signature="S", id="rs_1", origin="openai"),
            Text("a"),
            Text("b"),
            ToolCall("c", "apply_patch", '{"input":"P"}'),
        ],
        stop_reason="max_tokens",
        usage=Usage(
            input_tokens=10, output_tokens=3, cache_read_tokens=4, cache_write_tokens=1, reasoning_tokens=2
        ),
    )
    body = response.render(answer, request)
    assert (body["id"], body["object"], body["status"], body["model"]) == (
        "resp_9",
        "response",
        "incomplete",
        "gpt-5",
    )
    assert body["incomplete_details"] == {"reason": "max_output_tokens"}
    assert [item["type"] for item in body["output"]] == ["reasoning", "message", "custom_tool_call"]
    assert body["output"][0]["encrypted_content"] == "dgm2~openai~rs_1~S"
    assert [c["text"] for c in body["output"][1]["content"]] == ["a", "b"]
    assert body["output"][2]["input"] == "P"
    assert body["usage"] == {
        "input_tokens": 10,
        "input_tokens_details": {"cached_tokens": 4, "cache_write_tokens": 1},
        "output_tokens": 3,
        "output_tokens_details": {"reasoning_tokens": 2},
        "total_tokens": 13,
    }


def test_render_namespaced_call() -> None:
    namespace = {
        "type": "namespace",
        "name": "clock",
        "description": "",
        "tools": [{"type": "function", "name": "sleep"}],
    }
    from dragoman.dialects.openai_responses.tools import parse_tools

    request = Request(model="m", tools=parse_tools([namespace], "tools"), source="openai_responses")
    body = response.render(
        Response(parts=[ToolCall("call_c", "clock__sleep", "{}")], stop_reason="tool_use"), request
    )
    call = body["output"][0]
    assert (call["type"], call["name"], call["namespace"], call["call_id"]) == (
        "function_call",
        "sleep",
        "clock",
        "call_c",
    )


@settings(max_examples=150)
@given(responses())
def test_round_trip(answer: Response) -> None:
    """IR -> Response object -> (through JSON) -> IR gives the same answer."""
    body = orjson.loads(orjson.dumps(response.render(copy.deepcopy(answer), answering_request())))
    assert response.parse(body, origin="up") == stamped(answer, "up")


def test_usage_with_reasoning_beside_output_adds_it_in() -> None:
    # An upstream whose total is input + output + reasoning counted reasoning apart.
    apart = {
        "input_tokens": 50,
        "output_tokens": 7,
        "output_tokens_details": {"reasoning_tokens": 93},
        "total_tokens": 150,
    }
    assert response.parse_usage(apart) == Usage(input_tokens=50, output_tokens=100, reasoning_tokens=93)
    assert response.parse_usage(BODY["usage"]).output_tokens == 30

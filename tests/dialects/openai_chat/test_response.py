"""Whole Chat completions: upstream bodies -> IR, and IR -> the body a client receives."""

from __future__ import annotations

import orjson
import pytest

from dragoman.dialects.openai_chat import response as chat
from dragoman.ir.errors import RateLimited, UpstreamError
from dragoman.ir.messages import Text, Thinking, ToolCall
from dragoman.ir.request import Request
from dragoman.ir.response import Response
from dragoman.ir.usage import Usage

OPENAI_ANSWER = {
    "id": "chatcmpl-abc",
    "object": "chat.completion",
    "created": 1700000000,
    "model": "gpt-4o-2024-08-06",
    "system_fingerprint": "fp_1",
    "choices": [
        {
            "index": 0,
            "message": {
                "role": "assistant",
                "content": "Let me check.",
                "refusal": None,
                "tool_calls": [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "weather", "arguments": '{"city":"Paris"}'},
                    }
                ],
                "annotations": [],
            },
            "logprobs": None,
            "finish_reason": "tool_calls",
        }
    ],
    "usage": {
        "prompt_tokens": 100,
        "completion_tokens": 30,
        "total_tokens": 130,
        "prompt_tokens_details": {"cached_tokens": 60, "audio_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 12, "audio_tokens": 0},
    },
}


def test_parse_an_openai_answer() -> None:
    assert chat.parse(OPENAI_ANSWER, origin="openai") == Response(
        id="chatcmpl-abc",
        model="gpt-4o-2024-08-06",
        parts=[Text("Let me check."), ToolCall("call_1", "weather", '{"city":"Paris"}')],
        stop_reason="tool_use",
        usage=Usage(input_tokens=100, output_tokens=30, cache_read_tokens=60, reasoning_tokens=12),
    )


def test_parse_accepts_bytes() -> None:
    assert chat.parse(orjson.dumps(OPENAI_ANSWER), origin="openai").text() == "Let me check."


def test_reasoning_is_thinking_stamped_with_its_origin() -> None:
    answer = {
        "id": "x",
        "model": "deepseek-reasoner",
        "choices": [
            {
                "message": {"role": "assistant", "content": "42", "reasoning_content": "hmm"},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 5, "completion_tokens": 7, "prompt_cache_hit_tokens": 3},
    }
    response = chat.parse(answer, origin="deepseek")
    assert response.parts == [Thinking("hmm", origin="deepseek"), Text("42")]
    assert response.usage == Usage(input_tokens=5, output_tokens=7, cache_read_tokens=3)
    assert response.stop_reason == "end_turn"


@pytest.mark.parametrize(
    ("finish", "calls", "expected"),
    [
        ("stop", False, "end_turn"),
        ("stop", True, "tool_use"),
        ("length", False, "max_tokens"),
        ("tool_calls", True, "tool_use"),
        ("function_call", True, "tool_use"),
        ("content_filter", False, "refusal"),
        (None, False, "end_turn"),
        ("something_new", False, "end_turn"),
    ],
)
def test_finish_reasons(finish: str | None, calls: bool, expected: str) -> None:
    message: dict[str, object] = {"role": "assistant", "content": "x"}
    if calls:
        message["tool_calls"] = [
            {"id": "c", "type": "function", "function": {"name": "f", "arguments": "{}"}}
        ]
    body = {"id": "i", "model": "m", "choices": [{"message": message, "finish_reason": finish}]}
    assert chat.parse(body, origin="o").stop_reason == expected


def test_refusal_and_legacy_and_custom_calls() -> None:
    message = {
        "role": "assistant",
        "content": None,
        "refusal": "I can't help with that.",
        "function_call": {"name": "old", "arguments": "{}"},
        "tool_calls": [{"id": "c1", "type": "custom", "custom": {"name": "patch", "input": "diff"}}],
    }
    body = {"id": "i", "model": "m", "choices": [{"message": message, "finish_reason": "stop"}]}
    response = chat.parse(body, origin="o")
    assert response.parts[0] == Text("I can't help with that.")
    assert response.parts[1] == ToolCall("c1", "patch", '{"input":"diff"}')
    legacy = response.parts[2]
    assert isinstance(legacy, ToolCall) and (legacy.name, legacy.arguments) == ("old", "{}")


def test_malformed_answers() -> None:
    with pytest.raises(UpstreamError):
        chat.parse(b"<html>", origin="o")
    with pytest.raises(UpstreamError):
        chat.parse([1], origin="o")
    with pytest.raises(RateLimited):
        chat.parse({"error": {"message": "slow down", "type": "rate_limit_error"}}, origin="o")
    empty = chat.parse({"choices": []}, origin="o")
    assert (empty.parts, empty.stop_reason) == ([], "end_turn")


def test_render() -> None:
    response = Response(
        id="msg_1",
        model="claude-x",
        parts=[Thinking("plan", signature="sig", origin="anthropic"), Text("Hi"), ToolCall("t1", "f", "")],
        stop_reason="tool_use",
        usage=Usage(
            input_tokens=10, output_tokens=4, cache_read_tokens=2, cache_write_tokens=3, reasoning_tokens=1
        ),
    )
    body = chat.render(response, Request(model="my-alias"))
    assert isinstance(body["created"], int)
    del body["created"]
    # An Anthropic answer's ids, in Chat's form (dialects.ids).
    assert body.pop("id").startswith("chatcmpl-")
    assert body == {
        "object": "chat.completion",
        "model": "my-alias",
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": "Hi",
                    "refusal": None,
                    "reasoning_content": "plan",
                    "tool_calls": [
                        {
                            "id": "call_dgm_t1",
                            "type": "function",
                            "function": {"name": "f", "arguments": "{}"},
                        }
                    ],
                },
                "logprobs": None,
                "finish_reason": "tool_calls",
            }
        ],
        "usage": {
            "prompt_tokens": 10,
            "completion_tokens": 4,
            "total_tokens": 14,
            "prompt_tokens_details": {"cached_tokens": 2, "cache_write_tokens": 3},
            "completion_tokens_details": {"reasoning_tokens": 1},
        },
    }


@pytest.mark.parametrize(
    ("reason", "calls", "expected"),
    [
        ("end_turn", False, "stop"),
        ("end_turn", True, "tool_calls"),
        ("stop_sequence", False, "stop"),
        ("max_tokens", True, "length"),
        ("context_window", False, "length"),
        ("refusal", False, "content_filter"),
        ("pause_turn", False, "stop"),
        ("error", False, "stop"),
        (None, False, "stop"),
    ],
)
def test_render_finish_reasons(reason: str | None, calls: bool, expected: str) -> None:
    parts = [ToolCall("c", "f", "{}")] if calls else [Text("x")]
    body = chat.render(Response(parts=parts, stop_reason=reason), Request(model="m"))  # type: ignore[arg-type]
    assert body["choices"][0]["finish_reason"] == expected


def test_render_without_an_id_makes_one() -> None:
    body = chat.render(Response(parts=[]), Request(model="m"))
    assert body["id"].startswith("chatcmpl-")
    assert body["choices"][0]["message"]["content"] is None


def test_reasoning_counted_beside_completion_is_added_to_output() -> None:
    # xAI counts reasoning outside completion_tokens; its total says so (prompt +
    # completion + reasoning), where OpenAI's total is prompt + completion.
    xai = {
        "prompt_tokens": 10120,
        "completion_tokens": 1499,
        "total_tokens": 14428,
        "prompt_tokens_details": {"cached_tokens": 128},
        "completion_tokens_details": {"reasoning_tokens": 2809},
    }
    assert chat.parse_usage(xai) == Usage(
        input_tokens=10120, output_tokens=4308, cache_read_tokens=128, reasoning_tokens=2809
    )


def test_reasoning_inside_completion_is_not_added_twice() -> None:
    openai = {
        "prompt_tokens": 100,
        "completion_tokens": 30,
        "total_tokens": 130,
        "completion_tokens_details": {"reasoning_tokens": 12},
    }
    assert chat.parse_usage(openai) == Usage(input_tokens=100, output_tokens=30, reasoning_tokens=12)


def test_other_choices_are_alternatives_up_to_the_last_one_sent() -> None:
    message = {"role": "assistant", "content": "two"}
    body = {"id": "c", "model": "m", "choices": [{"index": 2, "message": message, "finish_reason": "length"}]}
    answer = chat.parse(body, origin="o")
    assert (answer.id, answer.model, answer.parts, answer.stop_reason) == ("c", "m", [], "end_turn")
    assert answer.alternatives == [
        Response(stop_reason="end_turn"),
        Response(parts=[Text("two")], stop_reason="max_tokens"),
    ]

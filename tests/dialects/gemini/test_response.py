from __future__ import annotations

import base64

import orjson
import pytest

from dragoman.dialects.gemini.parts import client_signature
from dragoman.dialects.gemini.response import parse, render
from dragoman.ir import Request, Response, Text, Thinking, ToolCall, Usage
from dragoman.ir.errors import UpstreamError

ANSWER = {
    "candidates": [
        {
            "content": {
                "role": "model",
                "parts": [
                    {"text": "Thinking about weather", "thought": True},
                    {"text": "Let me check.", "thoughtSignature": "CiQB"},
                    {"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}},
                ],
            },
            "finishReason": "STOP",
            "index": 0,
            "safetyRatings": [],
        }
    ],
    "usageMetadata": {
        "promptTokenCount": 100,
        "cachedContentTokenCount": 60,
        "toolUsePromptTokenCount": 5,
        "candidatesTokenCount": 20,
        "thoughtsTokenCount": 50,
        "totalTokenCount": 175,
    },
    "modelVersion": "gemini-2.5-pro",
    "responseId": "abc123",
}


def test_parse_a_whole_answer() -> None:
    response = parse(ANSWER, origin="gemini")
    call = response.parts[3]
    assert isinstance(call, ToolCall) and call.id.startswith("call_")
    assert response == Response(
        id="abc123",
        model="gemini-2.5-pro",
        parts=[
            Thinking("Thinking about weather", origin="gemini"),
            Thinking(signature="CiQB", origin="gemini"),
            Text("Let me check."),
            ToolCall(call.id, "get_weather", '{"city":"Paris"}'),
        ],
        stop_reason="tool_use",
        usage=Usage(input_tokens=105, output_tokens=70, cache_read_tokens=60, reasoning_tokens=50),
    )


def test_parse_accepts_bytes_wrappers_and_arrays() -> None:
    assert parse(orjson.dumps(ANSWER), origin="g").id == "abc123"
    assert parse({"response": ANSWER, "traceId": "t"}, origin="g").id == "abc123"
    halves = [
        {"candidates": [{"content": {"parts": [{"text": "a"}]}}], "responseId": "x"},
        {"candidates": [{"content": {"parts": [{"text": "b"}]}, "finishReason": "STOP"}]},
    ]
    assert parse(halves, origin="g").parts == [Text("ab")]


def test_blocked_prompt() -> None:
    response = parse({"promptFeedback": {"blockReason": "SAFETY"}, "responseId": "b"}, origin="g")
    assert (response.parts, response.stop_reason) == ([], "refusal")


@pytest.mark.parametrize(
    "body", [{}, b"<html>bad gateway</html>", {"error": {"code": 500, "message": "boom"}}]
)
def test_unusable_answers_raise(body: object) -> None:
    with pytest.raises(UpstreamError):
        parse(body, origin="g")


def test_render_for_a_client() -> None:
    response = Response(
        id="resp_1",
        model="claude-sonnet",
        parts=[
            Thinking("hmm", signature="sig", origin="claude"),
            Thinking("", signature="g", origin="gemini", id="item"),
            Text("Sure."),
            ToolCall("toolu_1", "f", '{"x": [1]}'),
            ToolCall("toolu_2", "g", "not json"),
        ],
        stop_reason="tool_use",
        usage=Usage(
            input_tokens=30, output_tokens=12, cache_read_tokens=10, cache_write_tokens=5, reasoning_tokens=4
        ),
    )
    body = render(response, Request(model="gemini-2.5-pro"))
    parts = body["candidates"][0]["content"]["parts"]
    assert parts[0]["text"] == "hmm" and parts[0]["thought"] is True
    assert client_signature(parts[0]["thoughtSignature"]) == ("claude", None, "sig")
    assert parts[1] == {"text": "Sure.", "thoughtSignature": parts[1]["thoughtSignature"]}
    assert client_signature(parts[1]["thoughtSignature"]) == ("gemini", "item", "g")
    assert parts[2:] == [
        {"functionCall": {"id": "toolu_1", "name": "f", "args": {"x": [1]}}},
        {"functionCall": {"id": "toolu_2", "name": "g", "args": {"input": "not json"}}},
    ]
    assert body["candidates"][0]["finishReason"] == "STOP"
    assert body["usageMetadata"] == {
        "promptTokenCount": 30,
        "candidatesTokenCount": 8,
        "thoughtsTokenCount": 4,
        "cachedContentTokenCount": 10,
        "totalTokenCount": 42,
    }
    assert (body["modelVersion"], body["responseId"]) == ("gemini-2.5-pro", "resp_1")


@pytest.mark.parametrize(
    ("reason", "finish"),
    [
        ("end_turn", "STOP"),
        ("stop_sequence", "STOP"),
        ("max_tokens", "MAX_TOKENS"),
        ("context_window", "MAX_TOKENS"),
        ("refusal", "SAFETY"),
        ("pause_turn", "STOP"),
        ("error", "OTHER"),
        (None, "STOP"),
    ],
)
def test_render_finish_reasons(reason: str | None, finish: str) -> None:
    body = render(Response(id="r", stop_reason=reason), Request(model="m"))  # type: ignore[arg-type]
    assert body["candidates"][0]["finishReason"] == finish
    assert body["candidates"][0]["content"] == {"role": "model", "parts": []}


def test_a_signature_wrapped_before_dgm2_still_reads() -> None:
    # What a Gemini client kept from an older dragoman: base64 of the dgm1 form.
    old = base64.urlsafe_b64encode(b"dgm1~work~item~SIG").decode()
    assert client_signature(old) == ("work", "item", "SIG")

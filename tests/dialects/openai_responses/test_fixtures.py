"""Every captured Responses request (Codex, the Python SDK) parses with nothing lost."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from dragoman.dialects.openai_responses import request
from dragoman.ir import Text, ToolCall, ToolResult
from tests.captures import Capture, load_all

CAPTURES = [capture for capture in load_all() if capture.dialect == "openai_responses"]


def test_the_captures_are_there() -> None:
    assert len(CAPTURES) >= 10, "expected the Codex and Python SDK captures of /v1/responses"


def expected_counts(body: dict[str, Any]) -> dict[str, int]:
    """What the wire holds, counted independently of the parser."""
    items = body["input"] if isinstance(body["input"], list) else [{"role": "user", "content": body["input"]}]
    declared = list(body.get("tools") or [])
    for item in items:
        if item.get("type") == "additional_tools":
            declared += item["tools"]
    return {
        "tools": sum(len(t["tools"]) if t["type"] == "namespace" else 1 for t in declared),
        "calls": sum(1 for i in items if i.get("type") in ("function_call", "custom_tool_call")),
        "results": sum(
            1 for i in items if i.get("type") in ("function_call_output", "custom_tool_call_output")
        ),
        "texts": sum(
            1 if isinstance(i["content"], str) else len(i["content"])
            for i in items
            if i.get("type", "message") == "message"
        ),
        "chars": sum(
            len(i["content"])
            if isinstance(i["content"], str)
            else sum(len(p.get("text", "")) for p in i["content"])
            for i in items
            if i.get("type", "message") == "message"
        ),
    }


@pytest.mark.parametrize("capture", CAPTURES, ids=lambda c: c.name)
def test_fixture_parses_with_nothing_lost(capture: Capture) -> None:
    body = capture.body
    parsed = request.parse(body)
    parts = [part for message in parsed.messages for part in message.parts]
    texts = [*parsed.system, *(p for p in parts if isinstance(p, Text))]
    expected = expected_counts(body)
    assert len(parsed.tools) == expected["tools"]
    assert sum(isinstance(p, ToolCall) for p in parts) == expected["calls"]
    results = [p for p in parts if isinstance(p, ToolResult)]
    assert len(results) == expected["results"]
    assert all(result.name for result in results), "every result is linked to its call"
    assert len(texts) == expected["texts"]
    assert sum(len(t.text) for t in texts) == expected["chars"]
    assert parsed.model == body["model"] and parsed.stream == bool(body.get("stream"))


@pytest.mark.parametrize("capture", CAPTURES, ids=lambda c: c.name)
def test_fixture_renders_back_for_a_responses_upstream(capture: Capture) -> None:
    body = capture.body
    rendered = orjson.loads(
        orjson.dumps(request.render(request.parse(body), model=body["model"], origin="codex"))
    )
    for key in (
        "store",
        "include",
        "prompt_cache_key",
        "client_metadata",
        "tool_choice",
        "parallel_tool_calls",
        "text",
    ):
        if key in body:
            assert rendered[key] == body[key], key
    if "reasoning" in body:
        assert rendered["reasoning"] == body["reasoning"]
    declared = list(body.get("tools") or [])
    for item in body["input"] if isinstance(body["input"], list) else []:
        if item.get("type") == "additional_tools":
            declared += item["tools"]
    assert rendered.get("tools", []) == declared
    # Reparsed, the render is the same request, its system text joined into `instructions`.
    parsed, reparsed = request.parse(body), request.parse(rendered)
    assert reparsed.system_text() == parsed.system_text()
    assert (reparsed.messages, reparsed.tools, reparsed.extras) == (
        parsed.messages,
        parsed.tools,
        parsed.extras,
    )

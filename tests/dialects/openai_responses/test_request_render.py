from __future__ import annotations

import orjson
from hypothesis import HealthCheck, given, settings

from dragoman.dialects.openai_responses import request
from dragoman.ir import (
    Image,
    Message,
    Reasoning,
    Request,
    Text,
    Thinking,
    Tool,
    ToolCall,
    ToolResult,
)
from tests.dialects.openai_responses.strategies import requests


def parse(**body: object) -> Request:
    return request.parse({"model": "gpt-5", **body})


def foreign(**fields: object) -> Request:
    return Request(model="claude", source="anthropic", **fields)  # type: ignore[arg-type]


def test_render_system_and_mid_conversation_system() -> None:
    body = request.render(
        foreign(
            system=[Text("a"), Text("b")],
            messages=[Message("user", [Text("hi")]), Message("system", [Text("note")])],
        ),
        model="gpt-5",
        origin="openai",
    )
    assert body["instructions"] == "a\n\nb"
    assert body["input"] == [
        {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "hi"}]},
        {"type": "message", "role": "developer", "content": [{"type": "input_text", "text": "note"}]},
    ]
    assert body["model"] == "gpt-5"
    assert body["store"] is False


def test_render_drops_what_responses_cannot_take() -> None:
    native = Tool(name="bash", type="native", raw={"type": "bash_20250124"}, dialect="anthropic")
    body = request.render(
        foreign(
            messages=[Message("user", [Text("x")])],
            stop=["END"],
            seed=3,
            top_k=5,
            tools=[native],
            metadata={"user_id": "x" * 600},
        ),
        model="gpt-5",
        origin="openai",
    )
    for key in ("stop", "seed", "top_k", "tools", "tool_choice", "metadata", "parallel_tool_calls"):
        assert key not in body


def test_foreign_tools_are_not_strict_by_default() -> None:
    tool = Tool(name="Read", parameters={"type": "object"})
    body = request.render(foreign(tools=[tool]), model="m", origin="openai")
    assert body["tools"] == [
        {"type": "function", "name": "Read", "parameters": {"type": "object"}, "strict": False}
    ]


def test_thinking_is_kept_only_for_its_origin_and_asks_for_encrypted_content() -> None:
    turn = Message(
        "assistant",
        [
            Thinking(text="mine", signature="S1", id="rs_1", origin="openai"),
            Thinking(text="theirs", signature="S2", origin="claude"),
            Thinking(text="unsigned", origin="openai"),
            Text("answer"),
        ],
    )
    body = request.render(foreign(messages=[Message("user", [Text("q")]), turn]), model="m", origin="openai")
    reasoning = [item for item in body["input"] if item["type"] == "reasoning"]
    assert reasoning == [
        {
            "type": "reasoning",
            "id": "rs_1",
            "summary": [{"type": "summary_text", "text": "mine"}],
            "encrypted_content": "S1",
        }
    ]
    assert body["include"] == ["reasoning.encrypted_content"]


def test_same_dialect_client_keeps_unknown_origin_thinking_and_extras() -> None:
    parsed = parse(
        input=[{"type": "reasoning", "id": "rs_9", "summary": [], "encrypted_content": "E"}],
        store=False,
        prompt_cache_key="pk",
        text={"verbosity": "low"},
    )
    body = request.render(parsed, model="gpt-5", origin="codex")
    assert body["input"] == [{"type": "reasoning", "id": "rs_9", "summary": [], "encrypted_content": "E"}]
    assert body["include"] == ["reasoning.encrypted_content"]
    assert (body["prompt_cache_key"], body["text"], body["store"]) == ("pk", {"verbosity": "low"}, False)
    # A foreign client's thinking of unknown origin never reaches Responses.
    assert request.render(foreign(messages=parsed.messages), model="m", origin="codex")["input"] == []


def test_render_tool_results_and_custom_calls() -> None:
    tools = [Tool(name="apply_patch", type="custom"), Tool(name="f", parameters={"type": "object"})]
    messages = [
        Message("user", [Text("go")]),
        Message("assistant", [ToolCall("c1", "apply_patch", '{"input":"P"}'), ToolCall("c2", "f", "{}")]),
        Message(
            "user",
            [
                ToolResult("c1", [Text("ok")]),
                ToolResult("c2", [Text("a"), Image(media_type="image/png", data="QQ==")], is_error=True),
            ],
        ),
    ]
    body = request.render(foreign(messages=messages, tools=tools), model="m", origin="openai")
    assert body["input"][1:] == [
        {"type": "custom_tool_call", "call_id": "c1", "name": "apply_patch", "input": "P"},
        {"type": "function_call", "call_id": "c2", "name": "f", "arguments": "{}"},
        {"type": "custom_tool_call_output", "call_id": "c1", "output": "ok"},
        {
            "type": "function_call_output",
            "call_id": "c2",
            "output": [
                {"type": "input_text", "text": "a"},
                {"type": "input_image", "image_url": "data:image/png;base64,QQ==", "detail": "auto"},
            ],
        },
    ]


def test_reasoning_and_format_from_another_dialect() -> None:
    wanted = Reasoning(enabled=True, budget_tokens=3000, include_thoughts=True)
    body = request.render(foreign(reasoning=wanted), model="m", origin="openai")
    assert body["reasoning"] == {"effort": "medium", "summary": "auto"}
    assert body["include"] == ["reasoning.encrypted_content"]
    off = request.render(foreign(reasoning=Reasoning(enabled=False)), model="m", origin="openai")
    assert "reasoning" not in off and "include" not in off


def test_upstream_path() -> None:
    assert request.upstream_path("gpt-5", True) == "/responses"


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(requests())
def test_round_trip(original: Request) -> None:
    """IR -> Responses body -> (through JSON) -> IR gives the same request."""
    body = request.render(original, model=original.model, origin="openai")
    assert request.parse(orjson.loads(orjson.dumps(body))) == original


def test_client_tool_search_items_are_a_call_and_its_result() -> None:
    loaded = [{"type": "namespace", "name": "mcp__docs", "description": "", "tools": []}]
    parsed = parse(
        tools=[{"type": "tool_search", "execution": "client"}],
        input=[
            {"role": "user", "content": "find the docs tool"},
            {
                "type": "tool_search_call",
                "call_id": "ts_1",
                "execution": "client",
                "arguments": {"query": "docs"},
            },
            {"type": "tool_search_output", "call_id": "ts_1", "execution": "client", "tools": loaded},
            {"type": "tool_search_call", "call_id": "ts_2", "execution": "server", "arguments": {}},
        ],
    )
    assert parsed.messages[1].parts == [ToolCall("ts_1", "tool_search", '{"query":"docs"}')]
    assert parsed.messages[2].parts == [
        ToolResult("ts_1", [Text(orjson.dumps(loaded).decode())], name="tool_search")
    ]
    body = request.render(parsed, model="m", origin="openai")
    assert body["input"][1:] == [
        {
            "type": "tool_search_call",
            "call_id": "ts_1",
            "execution": "client",
            "arguments": {"query": "docs"},
        },
        {"type": "tool_search_output", "call_id": "ts_1", "execution": "client", "tools": loaded},
    ]


def test_compaction_goes_back_only_to_a_responses_upstream() -> None:
    compaction = {"type": "compaction", "id": "cmp_1", "encrypted_content": "CTX"}
    parsed = parse(input=[compaction, {"role": "user", "content": "continue"}])
    assert parsed.messages[0] == Message("assistant", [Thinking(signature="CTX", redacted=True, id="cmp_1")])
    assert request.render(parsed, model="m", origin="codex")["input"][0] == compaction
    assert request.render(foreign(messages=parsed.messages), model="m", origin="codex")["input"] == [
        {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "continue"}]}
    ]


def test_unknown_effort_is_kept_for_a_responses_upstream() -> None:
    parsed = parse(reasoning={"effort": "ultra", "summary": "auto"})
    assert parsed.reasoning == Reasoning(summary="auto", include_thoughts=True)
    assert parsed.extras == {"reasoning": {"effort": "ultra"}}
    assert request.render(parsed, model="m", origin="o")["reasoning"] == {
        "effort": "ultra",
        "summary": "auto",
    }

"""request.parse: what Anthropic clients send becomes the IR, losing nothing the IR can hold."""

from __future__ import annotations

from typing import Any

import pytest

from dragoman.dialects.anthropic import request
from dragoman.dialects.anthropic.turns import MESSAGE_FIELDS
from dragoman.ir.errors import InvalidRequest
from dragoman.ir.messages import Document, Image, Message, Text, Thinking, ToolCall, ToolResult
from dragoman.ir.request import Reasoning, ResponseFormat
from dragoman.ir.tools import Tool, ToolChoice


def body(**fields: Any) -> dict[str, Any]:
    return {"model": "claude-x", "max_tokens": 100, "messages": [{"role": "user", "content": "hi"}], **fields}


def user(*blocks: dict[str, Any]) -> dict[str, Any]:
    return body(messages=[{"role": "user", "content": list(blocks)}])


def parts_of(*blocks: dict[str, Any]) -> list[Any]:
    return request.parse(user(*blocks)).messages[0].parts


def test_a_minimal_request() -> None:
    parsed = request.parse(body())
    assert parsed.model == "claude-x"
    assert parsed.max_tokens == 100
    assert parsed.source == "anthropic"
    assert parsed.messages == [Message("user", [Text("hi")])]
    assert parsed.stream is False


def test_system_string_and_blocks_keep_cache_control() -> None:
    assert request.parse(body(system="be brief")).system == [Text("be brief")]
    blocks = [
        {"type": "text", "text": "a"},
        {"type": "text", "text": "b", "cache_control": {"type": "ephemeral"}},
    ]
    assert request.parse(body(system=blocks)).system == [Text("a"), Text("b", {"type": "ephemeral"})]


def test_a_system_message_in_the_middle_stays_in_place() -> None:
    messages = [
        {"role": "user", "content": "hi"},
        {"role": "system", "content": "env info", "output_config": {"effort": "medium"}},
    ]
    parsed = request.parse(body(messages=messages))
    assert parsed.messages[1] == Message("system", [Text("env info")])
    assert parsed.extras[MESSAGE_FIELDS] == [[1, "system", {"output_config": {"effort": "medium"}}]]


def test_text_blocks_keep_cache_control() -> None:
    assert parts_of({"type": "text", "text": "x", "cache_control": {"type": "ephemeral", "ttl": "1h"}}) == [
        Text("x", {"type": "ephemeral", "ttl": "1h"})
    ]


def test_images_inline_and_by_url() -> None:
    assert parts_of(
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "AAAA"}},
        {"type": "image", "source": {"type": "url", "url": "https://x/y.png"}},
    ) == [Image(media_type="image/png", data="AAAA"), Image(url="https://x/y.png")]


def test_documents_of_every_source() -> None:
    pdf = {"type": "base64", "media_type": "application/pdf", "data": "JVBE"}
    assert parts_of(
        {"type": "document", "source": pdf, "title": "T"},
        {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "plain"}},
        {"type": "document", "source": {"type": "url", "url": "https://x/a.pdf"}},
        {"type": "document", "source": {"type": "content", "content": [{"type": "text", "text": "c"}]}},
    ) == [
        Document(media_type="application/pdf", data="JVBE", title="T"),
        Document(media_type="text/plain", text="plain"),
        Document(url="https://x/a.pdf"),
        Document(media_type="text/plain", text="c"),
    ]


def test_tool_use_input_becomes_argument_json() -> None:
    messages = [
        {"role": "user", "content": "go"},
        {
            "role": "assistant",
            "content": [{"type": "tool_use", "id": "toolu_1", "name": "Read", "input": {"a": [1]}}],
        },
    ]
    assert request.parse(body(messages=messages)).messages[1].parts == [
        ToolCall("toolu_1", "Read", '{"a":[1]}')
    ]


def test_tool_results_with_text_images_errors_and_their_call_name() -> None:
    messages = [
        {"role": "user", "content": "go"},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "Shot", "input": {}}]},
        {
            "role": "user",
            "content": [
                {
                    "type": "tool_result",
                    "tool_use_id": "t1",
                    "is_error": True,
                    "content": [
                        {"type": "text", "text": "failed"},
                        {"type": "image", "source": {"type": "url", "url": "https://x/i.png"}},
                    ],
                }
            ],
        },
    ]
    result = request.parse(body(messages=messages)).messages[2].parts[0]
    assert result == ToolResult(
        "t1", [Text("failed"), Image(url="https://x/i.png")], is_error=True, name="Shot"
    )


def test_a_tool_result_cache_marker_moves_onto_its_last_text() -> None:
    block = {
        "type": "tool_result",
        "tool_use_id": "t1",
        "content": "out",
        "cache_control": {"type": "ephemeral"},
    }
    assert parts_of(block) == [ToolResult("t1", [Text("out", {"type": "ephemeral"})])]
    empty = {"type": "tool_result", "tool_use_id": "t1", "cache_control": {"type": "ephemeral"}}
    assert parts_of(empty) == [ToolResult("t1", [Text("", {"type": "ephemeral"})])]


def test_a_tool_reference_travels_as_marked_text() -> None:
    block = {
        "type": "tool_result",
        "tool_use_id": "t1",
        "content": [{"type": "tool_reference", "tool_name": "Grep"}],
    }
    assert parts_of(block) == [ToolResult("t1", [Text('<tool_reference tool_name="Grep"/>')])]


def test_thinking_signatures_are_unwrapped() -> None:
    messages = [
        {"role": "user", "content": "q"},
        {
            "role": "assistant",
            "content": [
                {"type": "thinking", "thinking": "hm", "signature": "dgm1~gemini~item7~SIG"},
                {"type": "thinking", "thinking": "raw", "signature": "PLAIN"},
                {"type": "redacted_thinking", "data": "dgm1~anthropic~~DATA"},
                {"type": "text", "text": "a"},
            ],
        },
    ]
    assert request.parse(body(messages=messages)).messages[1].parts == [
        Thinking("hm", "SIG", id="item7", origin="gemini"),
        Thinking("raw", "PLAIN"),
        Thinking("", "DATA", redacted=True, origin="anthropic"),
        Text("a"),
    ]


def test_server_tool_blocks_are_dropped_from_history() -> None:
    messages = [
        {"role": "user", "content": "q"},
        {
            "role": "assistant",
            "content": [
                {
                    "type": "server_tool_use",
                    "id": "srvtoolu_1",
                    "name": "web_search",
                    "input": {"query": "x"},
                },
                {"type": "web_search_tool_result", "tool_use_id": "srvtoolu_1", "content": []},
                {"type": "text", "text": "found"},
            ],
        },
    ]
    assert request.parse(body(messages=messages)).messages[1].parts == [Text("found")]


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ([], "body: expected a JSON object"),
        ({"max_tokens": 1, "messages": []}, "model: expected a model name"),
        ({"model": "m", "messages": []}, "max_tokens: required"),
        ({"model": "m", "max_tokens": True, "messages": []}, "max_tokens: expected an integer"),
        ({"model": "m", "max_tokens": 1, "messages": {}}, "messages: expected a list"),
        (body(messages=[{"role": "tool", "content": "x"}]), "messages[0].role: expected"),
        (body(messages=[{"role": {}, "content": "x"}]), "messages[0].role: expected"),
        (body(messages=[{"role": ["user"], "content": "x"}]), "messages[0].role: expected"),
        (body(messages=[{"role": "user", "content": 5}]), "messages[0].content: expected a string"),
        (
            user({"type": "text", "text": "a"}, {"type": "foo"}),
            "messages[0].content[1].type: unknown block type 'foo'",
        ),
        (user({"type": "text"}), "messages[0].content[0].text: expected a string"),
        (
            user({"type": "image", "source": {"type": "file", "file_id": "f"}}),
            "messages[0].content[0].source.type",
        ),
        (
            user({"type": "tool_result", "tool_use_id": "t", "content": [{"type": "tool_use"}]}),
            "content[0].type",
        ),
        (body(system=[{"type": "image"}]), "system[0]: expected a text block"),
        (body(tools=[{"description": "no name"}]), "tools[0].name"),
        (body(tools=[{"name": "x"}]), "tools[0].input_schema"),
        (body(tool_choice={"type": "maybe"}), "tool_choice: expected"),
        # found by fuzzing: a list or an object as the type was a 500 (a dict lookup of it)
        (body(tool_choice={"type": []}), "tool_choice: expected"),
        (body(tool_choice={"type": {"auto": 1}}), "tool_choice: expected"),
        (body(tool_choice={"type": "tool"}), "tool_choice.name"),
        (body(thinking={"type": "enabled"}), "thinking.budget_tokens"),
        (body(output_config={"effort": "extreme"}), "output_config.effort: unknown effort 'extreme'"),
        (body(output_config={"format": {"type": "xml"}}), "output_config.format"),
        (body(temperature="hot"), "temperature: expected a number"),
        (body(stop_sequences="END"), "stop_sequences: expected a list of strings"),
        (body(metadata="me"), "metadata: expected an object"),
    ],
)
def test_bad_input_names_the_field(bad: Any, message: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        request.parse(bad)
    assert message in caught.value.message


def test_function_tools_keep_cache_control_and_unmodelled_fields() -> None:
    declared = [
        {
            "name": "Read",
            "description": "d",
            "input_schema": {"type": "object"},
            "cache_control": {"type": "ephemeral"},
        },
        {"name": "Later", "input_schema": {"type": "object"}, "defer_loading": True},
    ]
    tools = request.parse(body(tools=declared)).tools
    assert tools[0] == Tool("Read", "d", {"type": "object"}, cache_control={"type": "ephemeral"})
    assert tools[1].type == "function" and tools[1].raw == declared[1]


def test_server_tools_are_native() -> None:
    search = {"type": "web_search_20250305", "name": "web_search", "max_uses": 5}
    assert request.parse(body(tools=[search])).tools == [
        Tool("web_search", type="native", raw=search, dialect="anthropic")
    ]


@pytest.mark.parametrize(
    ("choice", "expected", "parallel"),
    [
        ({"type": "auto"}, ToolChoice("auto"), None),
        ({"type": "any", "disable_parallel_tool_use": True}, ToolChoice("required"), False),
        ({"type": "none"}, ToolChoice("none"), None),
        (
            {"type": "tool", "name": "Read", "disable_parallel_tool_use": False},
            ToolChoice("tool", "Read"),
            True,
        ),
    ],
)
def test_tool_choice(choice: dict[str, Any], expected: ToolChoice, parallel: bool | None) -> None:
    parsed = request.parse(body(tool_choice=choice))
    assert (parsed.tool_choice, parsed.parallel_tool_calls) == (expected, parallel)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"thinking": {"type": "enabled", "budget_tokens": 2048}},
            Reasoning(enabled=True, budget_tokens=2048, include_thoughts=True),
        ),
        (
            {"thinking": {"type": "enabled", "budget_tokens": 2048, "display": "omitted"}},
            Reasoning(enabled=True, budget_tokens=2048, include_thoughts=False),
        ),
        ({"thinking": {"type": "adaptive"}}, Reasoning(enabled=True)),
        (
            {"thinking": {"type": "adaptive", "display": "omitted"}, "output_config": {"effort": "medium"}},
            Reasoning(enabled=True, effort="medium", include_thoughts=False),
        ),
        (
            {"thinking": {"type": "adaptive", "display": "summarized"}},
            Reasoning(enabled=True, include_thoughts=True),
        ),
        ({"thinking": {"type": "disabled"}}, Reasoning(enabled=False)),
        ({"output_config": {"effort": "max"}}, Reasoning(effort="max")),
        ({}, None),
    ],
)
def test_thinking_and_effort(fields: dict[str, Any], expected: Reasoning | None) -> None:
    assert request.parse(body(**fields)).reasoning == expected


def test_sampling_stops_stream_and_format() -> None:
    parsed = request.parse(
        body(
            temperature=0.2,
            top_p=0.9,
            top_k=40,
            stop_sequences=["END"],
            stream=True,
            output_config={"format": {"type": "json_schema", "schema": {"type": "object"}}, "task": 1},
        )
    )
    assert (parsed.temperature, parsed.top_p, parsed.top_k, parsed.stop, parsed.stream) == (
        0.2,
        0.9,
        40,
        ["END"],
        True,
    )
    assert parsed.response_format == ResponseFormat("json_schema", schema={"type": "object"})
    assert parsed.extras["output_config"] == {"task": 1}


def test_metadata_user_id_may_be_a_json_string() -> None:
    user_id = '{"device_id":"d","account_uuid":"","session_id":"s"}'
    parsed = request.parse(body(metadata={"user_id": user_id}))
    assert parsed.user == user_id
    assert parsed.metadata == {"user_id": user_id}


def test_unknown_top_level_fields_go_to_extras() -> None:
    edits = {"edits": [{"type": "clear_thinking_20251015", "keep": "all"}]}
    parsed = request.parse(body(context_management=edits, service_tier="auto", safeguards=[]))
    assert parsed.extras == {"context_management": edits, "service_tier": "auto", "safeguards": []}

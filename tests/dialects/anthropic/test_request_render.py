"""request.render: IR requests from any client become bodies the Anthropic API accepts."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest

from dragoman.dialects.anthropic import request
from dragoman.dialects.anthropic.thinking import DEFAULT_MAX_TOKENS
from dragoman.dialects.anthropic.tools import CUSTOM_INPUT_SCHEMA
from dragoman.dialects.anthropic.turns import PLACEHOLDER_TURN, UNANSWERED, tool_id
from dragoman.ir.messages import Document, Image, Message, Text, Thinking, ToolCall, ToolResult
from dragoman.ir.request import Reasoning, Request, ResponseFormat
from dragoman.ir.tools import Tool, ToolChoice
from tests.fakes.anthropic_validate import Check, validate

ORIGIN = "claude-upstream"


def render(source: str = "openai_chat", model: str = "claude-sonnet-4-5", **fields: Any) -> dict[str, Any]:
    fields.setdefault("messages", [Message("user", [Text("hi")])])
    body = request.render(Request(model="client-model", source=source, **fields), model=model, origin=ORIGIN)
    signatures = {"SIG"}
    validate(Check(body=body, betas=["mid-conversation-system"], signatures=signatures))
    return body


def call(call_id: str = "call_1", name: str = "Read") -> ToolCall:
    return ToolCall(call_id, name, '{"path":"a"}')


def tool_loop(*assistant_first: Any) -> list[Message]:
    return [
        Message("user", [Text("read it")]),
        Message("assistant", [*assistant_first, call()]),
        Message("user", [ToolResult("call_1", [Text("contents")])]),
    ]


def test_model_messages_and_path() -> None:
    body = render(model="claude-haiku-4-5")
    assert body["model"] == "claude-haiku-4-5"
    assert body["messages"] == [{"role": "user", "content": [{"type": "text", "text": "hi"}]}]
    assert request.upstream_path("claude-haiku-4-5", stream=True) == "/messages"


def test_same_role_turns_merge_and_the_first_turn_is_the_user() -> None:
    messages = [
        Message("assistant", [Text("earlier")]),
        Message("user", [Text("a")]),
        Message("user", [Text("b")]),
    ]
    assert render(messages=messages)["messages"] == [
        {"role": "user", "content": [{"type": "text", "text": PLACEHOLDER_TURN}]},
        {"role": "assistant", "content": [{"type": "text", "text": "earlier"}]},
        {"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]},
    ]


def test_an_empty_conversation_gets_a_user_turn() -> None:
    assert render(messages=[])["messages"][0]["role"] == "user"


def test_tool_results_come_first_and_every_call_is_answered() -> None:
    messages = [
        Message("user", [Text("go")]),
        Message("assistant", [call("call_1"), call("call_2")]),
        Message(
            "user", [Text("note"), ToolResult("call_2", [Text("two")]), ToolResult("call_9", [Text("stray")])]
        ),
    ]
    content = render(messages=messages)["messages"][2]["content"]
    assert content == [
        {"type": "tool_result", "tool_use_id": "call_2", "content": "two"},
        {"type": "tool_result", "tool_use_id": "call_1", "content": UNANSWERED, "is_error": True},
        {"type": "text", "text": "note"},
        {"type": "text", "text": "[result of tool call call_9]\nstray"},
    ]


def test_tool_ids_are_rewritten_alike_for_calls_and_results() -> None:
    odd = "fc.abc/1:" + "x" * 80
    messages = [
        Message("user", [Text("go")]),
        Message("assistant", [call(odd)]),
        Message("user", [ToolResult(odd, [Text("ok")])]),
    ]
    body = render(messages=messages)
    used = body["messages"][1]["content"][0]["id"]
    assert body["messages"][2]["content"][0]["tool_use_id"] == used == tool_id(odd)
    assert re.fullmatch(r"[a-zA-Z0-9_-]{1,64}", used)
    assert tool_id("fc.abc/2:" + "x" * 80) != used
    assert tool_id("toolu_ok-1") == "toolu_ok-1"


def test_max_tokens_defaults_per_model_family() -> None:
    assert render()["max_tokens"] == DEFAULT_MAX_TOKENS
    assert render(model="claude-3-5-haiku-20241022")["max_tokens"] == 8192
    assert render(model="claude-3-haiku-20240307")["max_tokens"] == 4096
    assert render(max_tokens=77)["max_tokens"] == 77


def test_an_effort_becomes_a_budget_and_makes_room_for_it() -> None:
    body = render(reasoning=Reasoning(effort="high"))
    assert body["thinking"] == {"type": "enabled", "budget_tokens": 24576}
    assert body["max_tokens"] == 24576 + DEFAULT_MAX_TOKENS
    assert "output_config" not in body  # effort is for models an Anthropic client chose


def test_models_that_cannot_think_get_no_thinking() -> None:
    body = render(model="claude-3-5-haiku-20241022", reasoning=Reasoning(effort="high"))
    assert "thinking" not in body
    assert body["max_tokens"] == 8192


def test_a_budget_stays_below_max_tokens() -> None:
    body = render(max_tokens=4000, reasoning=Reasoning(enabled=True, budget_tokens=10000))
    assert body["thinking"] == {"type": "enabled", "budget_tokens": 3999}
    small = render(max_tokens=1000, reasoning=Reasoning(enabled=True, budget_tokens=10000))
    assert small["thinking"] == {"type": "disabled"}


def test_thinking_off_is_left_out_for_other_clients_and_explicit_for_anthropic_ones() -> None:
    assert "thinking" not in render(reasoning=Reasoning(effort="none"))
    assert render(source="anthropic", max_tokens=9, reasoning=Reasoning(enabled=False))["thinking"] == {
        "type": "disabled"
    }


def test_an_anthropic_client_keeps_adaptive_thinking_display_and_effort() -> None:
    reasoning = Reasoning(enabled=True, effort="medium", include_thoughts=False)
    body = render(source="anthropic", max_tokens=128000, model="claude-opus-5-5", reasoning=reasoning)
    assert body["thinking"] == {"type": "adaptive", "display": "omitted"}
    assert body["output_config"] == {"effort": "medium"}


def test_an_enabled_budget_sends_display_only_to_omit_thinking() -> None:
    """Summarized is what `enabled` shows anyway; models older than `display` refuse the field."""
    shown = Reasoning(enabled=True, budget_tokens=2048, include_thoughts=True)
    assert render(source="anthropic", reasoning=shown)["thinking"] == {
        "type": "enabled",
        "budget_tokens": 2048,
    }
    hidden = Reasoning(enabled=True, budget_tokens=2048, include_thoughts=False)
    assert render(source="anthropic", reasoning=hidden)["thinking"]["display"] == "omitted"


def test_thinking_drops_temperature_and_top_k_and_low_top_p() -> None:
    on = Reasoning(enabled=True, budget_tokens=2048)
    body = render(reasoning=on, temperature=0.3, top_k=5, top_p=0.5)
    assert not {"temperature", "top_k", "top_p"} & set(body)
    assert render(reasoning=on, top_p=0.97)["top_p"] == 0.97


def test_temperature_is_capped_and_wins_over_top_p() -> None:
    body = render(temperature=1.7, top_p=0.9, top_k=3)
    assert (body["temperature"], body["top_k"]) == (1.0, 3)
    assert "top_p" not in body
    assert render(top_p=0.9)["top_p"] == 0.9


def test_a_forced_tool_turns_thinking_off() -> None:
    tools = [Tool("Read", parameters={"type": "object"})]
    body = render(
        tools=tools, tool_choice=ToolChoice("required"), reasoning=Reasoning(enabled=True, budget_tokens=2048)
    )
    assert body["thinking"] == {"type": "disabled"}
    assert body["tool_choice"] == {"type": "any"}


def test_thinking_stays_on_when_the_tool_turn_replays_its_signed_thinking() -> None:
    signed = Thinking("plan", "SIG", origin=ORIGIN)
    body = render(messages=tool_loop(signed), reasoning=Reasoning(enabled=True, budget_tokens=2048), tools=[])
    assert body["thinking"]["type"] == "enabled"
    assert body["messages"][1]["content"][0] == {"type": "thinking", "thinking": "plan", "signature": "SIG"}


@pytest.mark.parametrize(
    "thinking",
    [
        Thinking("plan", "SIG", origin="openai"),  # another upstream's signature
        Thinking("plan", None, origin=ORIGIN),  # unsigned
        Thinking("plan", "SIG"),  # no origin, and the client is not Anthropic
    ],
)
def test_thinking_that_cannot_go_back_turns_thinking_off_for_the_tool_loop(thinking: Thinking) -> None:
    body = render(messages=tool_loop(thinking), reasoning=Reasoning(enabled=True, budget_tokens=2048))
    assert body["thinking"] == {"type": "disabled"}
    assert body["messages"][1]["content"][0]["type"] == "tool_use"


def test_an_anthropic_client_s_unwrapped_signature_goes_back() -> None:
    body = render(source="anthropic", messages=tool_loop(Thinking("p", "SIG")), max_tokens=9000)
    assert body["messages"][1]["content"][0]["signature"] == "SIG"


def test_a_prefill_loses_trailing_space_and_thinking_when_thinking_is_off() -> None:
    messages = [
        Message("user", [Text("q")]),
        Message("assistant", [Thinking("t", "SIG", origin=ORIGIN), Text("A: ")]),
    ]
    body = render(messages=messages)
    assert body["messages"][-1] == {"role": "assistant", "content": [{"type": "text", "text": "A:"}]}


def test_mid_conversation_system_text_for_other_clients_folds_into_the_user_turn() -> None:
    messages = [Message("user", [Text("q")]), Message("system", [Text("be terse", {"type": "ephemeral"})])]
    body = render(messages=messages, system=[Text("main")])
    assert body["system"] == [{"type": "text", "text": "main"}]
    assert body["messages"] == [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "q"},
                {
                    "type": "text",
                    "text": "<system-reminder>\nbe terse\n</system-reminder>",
                    "cache_control": {"type": "ephemeral"},
                },
            ],
        }
    ]


def test_mid_conversation_system_text_of_an_anthropic_client_stays_a_system_turn() -> None:
    messages = [Message("user", [Text("q")]), Message("system", [Text("env")])]
    body = render(source="anthropic", max_tokens=10, messages=messages)
    assert body["messages"][1] == {"role": "system", "content": [{"type": "text", "text": "env"}]}


def test_native_tools_only_from_anthropic_and_custom_tools_take_one_string(
    caplog: pytest.LogCaptureFixture,
) -> None:
    search = {"type": "web_search_20250305", "name": "web_search"}
    grammar = {"type": "grammar", "syntax": "lark", "definition": "start: /.+/"}
    tools = [
        Tool("web_search", type="native", raw=search, dialect="anthropic"),
        Tool("web_search", type="native", raw={"type": "web_search"}, dialect="openai_responses"),
        Tool("apply_patch", "Patch files.", type="custom", format=grammar),
        Tool("Read", parameters={"properties": {"p": {"type": "string"}}}, strict=True),
    ]
    with caplog.at_level(logging.WARNING, "dragoman.dialects"):
        declared = render(tools=tools)["tools"]
    assert "openai_responses" in caplog.text
    assert declared[0] == search
    assert declared[1] == {
        "name": "apply_patch",
        "description": "Patch files.\n\nThe input must follow this lark grammar:\nstart: /.+/",
        "input_schema": CUSTOM_INPUT_SCHEMA,
    }
    assert declared[2] == {
        "name": "Read",
        "input_schema": {"type": "object", "properties": {"p": {"type": "string"}}},
    }


def test_an_anthropic_client_s_tool_fields_go_back() -> None:
    raw = {"name": "Later", "input_schema": {"type": "object"}, "defer_loading": True, "strict": True}
    tool = Tool("Later", parameters={"type": "object"}, strict=True, raw=raw)
    assert render(source="anthropic", max_tokens=5, tools=[tool])["tools"] == [raw]
    assert render(tools=[tool])["tools"] == [{"name": "Later", "input_schema": {"type": "object"}}]


def test_tool_choice_parallel_and_allowed_tools() -> None:
    tools = [Tool("A", parameters={"type": "object"}), Tool("B", parameters={"type": "object"})]
    body = render(tools=tools, tool_choice=ToolChoice("auto", allowed=["B"]), parallel_tool_calls=False)
    assert [tool["name"] for tool in body["tools"]] == ["B"]
    assert body["tool_choice"] == {"type": "auto", "disable_parallel_tool_use": True}
    assert "tool_choice" not in render(tool_choice=ToolChoice("required"))  # no tools, no choice


def test_media_in_the_api_s_shapes() -> None:
    parts = [
        Image(url="data:image/webp;base64,UklG"),
        Image(media_type="image/gif", data="R0lG"),
        Document(media_type="text/markdown", data="IyBoaQ==", filename="a.md"),
        Document(media_type="application/pdf", data="JVBE"),
        Document(media_type="application/msword", data="AAAA"),
    ]
    content = render(messages=[Message("user", [*parts, Text("describe")])])["messages"][0]["content"]
    assert content[:4] == [
        {"type": "image", "source": {"type": "base64", "media_type": "image/webp", "data": "UklG"}},
        {"type": "image", "source": {"type": "base64", "media_type": "image/gif", "data": "R0lG"}},
        {
            "type": "document",
            "source": {"type": "text", "media_type": "text/plain", "data": "# hi"},
            "title": "a.md",
        },
        {"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBE"}},
    ]
    assert content[4] == {"type": "text", "text": "describe"}  # Word files have no Anthropic block


def test_tool_results_carry_cache_markers_and_tool_references_back() -> None:
    marked = Text('<tool_reference tool_name="Grep"/>')
    result = ToolResult("t1", [marked, Text("", {"type": "ephemeral"})])
    messages = [Message("user", [Text("q")]), Message("assistant", [call("t1")]), Message("user", [result])]
    native = render(source="anthropic", max_tokens=5, messages=messages)["messages"][2]["content"][0]
    assert native == {
        "type": "tool_result",
        "tool_use_id": "t1",
        "cache_control": {"type": "ephemeral"},
        "content": [{"type": "tool_reference", "tool_name": "Grep"}],
    }
    other = render(messages=messages)["messages"][2]["content"][0]
    assert other["content"] == [{"type": "text", "text": marked.text}]


def test_controls_without_an_anthropic_equivalent_are_left_out() -> None:
    body = render(
        stop=["END", "  "],
        seed=7,
        presence_penalty=1.0,
        frequency_penalty=1.0,
        response_format=ResponseFormat("json_object"),
        user="u-1",
        metadata={"team": "x"},
    )
    assert body["stop_sequences"] == ["END"]
    assert body["metadata"] == {"user_id": "u-1"}
    assert not {"seed", "presence_penalty", "frequency_penalty", "output_config"} & set(body)
    schema = {"type": "object", "properties": {}}
    assert render(response_format=ResponseFormat("json_schema", schema=schema))["output_config"] == {
        "format": {"type": "json_schema", "schema": schema}
    }


def test_extras_go_only_to_an_anthropic_client_s_upstream_and_never_override() -> None:
    extras = {"context_management": {"edits": []}, "output_config": {"task": 1}, "max_tokens": 3}
    reasoning = Reasoning(effort="low")
    native = render(source="anthropic", max_tokens=50, extras=extras, reasoning=reasoning)
    assert native["context_management"] == {"edits": []}
    assert native["output_config"] == {"task": 1, "effort": "low"}
    assert native["max_tokens"] == 50
    other = render(extras={"context_management": {"edits": []}})
    assert "context_management" not in other


def test_stream_flag() -> None:
    assert render(stream=True)["stream"] is True
    assert "stream" not in render()

from __future__ import annotations

import logging

import pytest

from dragoman.dialects.openai_responses import request
from dragoman.ir import (
    Document,
    Image,
    Message,
    Reasoning,
    Request,
    Text,
    Thinking,
    ToolCall,
    ToolResult,
)
from dragoman.ir.errors import InvalidRequest


def parse(**body: object) -> Request:
    return request.parse({"model": "gpt-5", **body})


# --- parse: input ------------------------------------------------------------------


def test_string_input_is_one_user_turn() -> None:
    parsed = parse(input="Reply with OK")
    assert parsed.messages == [Message("user", [Text("Reply with OK")])]
    assert parsed.source == "openai_responses"


def test_instructions_and_leading_developer_messages_are_the_system_text() -> None:
    parsed = parse(
        instructions="Be brief.",
        input=[
            {"type": "message", "role": "developer", "content": [{"type": "input_text", "text": "Rules"}]},
            {"role": "system", "content": "More rules"},
            {"role": "user", "content": "hi"},
            {"role": "developer", "content": "Later note"},
        ],
    )
    assert parsed.system == [Text("Be brief."), Text("Rules"), Text("More rules")]
    assert parsed.messages == [
        Message("user", [Text("hi")]),
        Message("system", [Text("Later note")]),
    ]


def test_user_content_parts() -> None:
    parsed = parse(
        input=[
            {
                "role": "user",
                "content": [
                    {"type": "input_text", "text": "look"},
                    {"type": "input_image", "image_url": "data:image/png;base64,AAAA", "detail": "high"},
                    {"type": "input_image", "image_url": "https://x.test/a.png"},
                    {
                        "type": "input_file",
                        "file_data": "data:application/pdf;base64,JVBE",
                        "filename": "a.pdf",
                    },
                    {"type": "input_file", "file_url": "https://x.test/b.pdf"},
                ],
            }
        ]
    )
    assert parsed.messages[0].parts == [
        Text("look"),
        Image(media_type="image/png", data="AAAA", detail="high"),
        Image(url="https://x.test/a.png"),
        Document(media_type="application/pdf", data="JVBE", filename="a.pdf"),
        Document(url="https://x.test/b.pdf"),
    ]


def test_assistant_items_join_one_turn_and_outputs_link_to_calls() -> None:
    parsed = parse(
        tools=[{"type": "custom", "name": "apply_patch"}],
        input=[
            {"role": "user", "content": "go"},
            {"type": "reasoning", "id": "rs_1", "summary": [{"type": "summary_text", "text": "hmm"}]},
            {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "ok"}]},
            {"type": "function_call", "id": "fc_1", "call_id": "c1", "name": "f", "arguments": '{"a":1}'},
            {"type": "custom_tool_call", "call_id": "c2", "name": "apply_patch", "input": "*** Begin"},
            {"type": "function_call_output", "call_id": "c1", "output": "done"},
            {
                "type": "custom_tool_call_output",
                "call_id": "c2",
                "output": [{"type": "input_text", "text": "ok"}],
            },
            {"role": "user", "content": "next"},
        ],
    )
    assert [m.role for m in parsed.messages] == ["user", "assistant", "user", "user"]
    assistant = parsed.messages[1].parts
    assert assistant == [
        Thinking(text="hmm", id="rs_1"),
        Text("ok"),
        ToolCall(id="c1", name="f", arguments='{"a":1}'),
        ToolCall(id="c2", name="apply_patch", arguments='{"input":"*** Begin"}'),
    ]
    assert parsed.messages[2].parts == [
        ToolResult(call_id="c1", content=[Text("done")], name="f"),
        ToolResult(call_id="c2", content=[Text("ok")], name="apply_patch"),
    ]


def test_reasoning_signature_is_unwrapped_with_its_origin() -> None:
    wrapped = {"type": "reasoning", "id": "rs_client", "summary": [], "encrypted_content": "dgm1~claude~~SIG"}
    foreign = {"type": "reasoning", "id": "rs_2", "summary": [], "encrypted_content": "opaque"}
    redacted = {
        "type": "reasoning",
        "id": "rs_3",
        "summary": [],
        "encrypted_content": "dgm1~claude~redacted~DATA",
    }
    parts = parse(input=[wrapped, foreign, redacted]).messages[0].parts
    assert parts == [
        Thinking(signature="SIG", origin="claude"),
        Thinking(signature="opaque", id="rs_2"),
        Thinking(signature="DATA", redacted=True, origin="claude"),
    ]


def test_malformed_wrapped_signature_is_kept_as_it_came() -> None:
    item = {"type": "reasoning", "id": "rs_1", "summary": [], "encrypted_content": "dgm1~broken"}
    assert parse(input=[item]).messages[0].parts == [Thinking(signature="dgm1~broken", id="rs_1")]


def test_namespaced_call_history_uses_the_flat_name() -> None:
    item = {
        "type": "function_call",
        "call_id": "c",
        "name": "spawn_agent",
        "namespace": "multi_agent_v1",
        "arguments": "{}",
    }
    default = {**item, "namespace": "functions", "name": "exec_command"}
    parts = parse(input=[item, default]).messages[0].parts
    assert [p.name for p in parts] == ["multi_agent_v1__spawn_agent", "exec_command"]


def test_additional_tools_item_declares_tools() -> None:
    item = {
        "type": "additional_tools",
        "role": "developer",
        "tools": [
            {
                "type": "namespace",
                "name": "clock",
                "description": "",
                "tools": [{"type": "function", "name": "sleep"}],
            }
        ],
    }
    parsed = parse(input=[item, {"role": "developer", "content": "sys"}, {"role": "user", "content": "hi"}])
    assert [t.name for t in parsed.tools] == ["clock__sleep"]
    assert parsed.system == [Text("sys")]


def test_hosted_tool_items_are_dropped_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="dragoman.dialects"):
        parsed = parse(input=[{"role": "user", "content": "q"}, {"type": "web_search_call", "id": "ws_1"}])
    assert len(parsed.messages) == 1
    assert "web_search_call" in caplog.text


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([], "body: expected a JSON object"),
        ({"input": "x"}, "model: required"),
        ({"model": "m", "input": 3}, "input: expected a string or an array"),
        ({"model": "m", "input": [{"type": "item_reference", "id": "msg_1"}]}, "input[0]: item_reference"),
        ({"model": "m", "input": [{"type": "bogus"}]}, "input[0].type: unknown item type 'bogus'"),
        ({"model": "m", "input": [{"role": "robot", "content": "x"}]}, "input[0].role"),
        (
            {"model": "m", "input": [{"role": "user", "content": [{"type": "foo"}]}]},
            "input[0].content[0].type",
        ),
        (
            {"model": "m", "input": [{"role": "user", "content": [{"type": "input_image", "file_id": "f"}]}]},
            "file_id",
        ),
        ({"model": "m", "input": [{"type": "function_call", "name": "f"}]}, "input[0]: call_id and name"),
        (
            {"model": "m", "input": [{"type": "function_call_output", "call_id": "c", "output": 1}]},
            "input[0].output",
        ),
        ({"model": "m", "max_output_tokens": "9"}, "max_output_tokens: expected an integer"),
        ({"model": "m", "temperature": True}, "temperature: expected a number"),
        ({"model": "m", "tools": [{"name": "x"}]}, "tools[0]: expected a tool object"),
        ({"model": "m", "tools": [{"type": "function"}]}, "tools[0].name: required"),
        ({"model": "m", "tool_choice": "sometimes"}, "tool_choice: unknown tool choice"),
        ({"model": "m", "reasoning": {"effort": 3}}, "reasoning.effort"),
        ({"model": "m", "text": {"format": {"type": "yaml"}}}, "text.format.type"),
    ],
)
def test_bad_input_names_the_field(body: object, message: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        request.parse(body)
    assert message in caught.value.message


# --- parse: settings ---------------------------------------------------------------


def test_settings_and_extras() -> None:
    parsed = parse(
        input="hi",
        stream=True,
        max_output_tokens=100,
        temperature=0.5,
        top_p=0.9,
        parallel_tool_calls=False,
        reasoning={"effort": "low", "summary": "auto", "context": "all_turns"},
        text={
            "format": {"type": "json_schema", "name": "t", "schema": {"type": "object"}, "strict": True},
            "verbosity": "low",
        },
        store=False,
        include=["reasoning.encrypted_content"],
        prompt_cache_key="k",
        client_metadata={"a": "b"},
        metadata={"x": "y"},
        user="u",
    )
    assert (parsed.stream, parsed.max_tokens, parsed.temperature, parsed.top_p) == (True, 100, 0.5, 0.9)
    assert parsed.parallel_tool_calls is False
    assert parsed.reasoning == Reasoning(enabled=True, effort="low", summary="auto", include_thoughts=True)
    assert parsed.response_format is not None and parsed.response_format.name == "t"
    assert parsed.extras == {
        "store": False,
        "include": ["reasoning.encrypted_content"],
        "prompt_cache_key": "k",
        "client_metadata": {"a": "b"},
        "reasoning": {"context": "all_turns"},
        "text": {"verbosity": "low"},
    }
    assert (parsed.metadata, parsed.user) == ({"x": "y"}, "u")

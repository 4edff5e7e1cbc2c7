"""Chat requests: client bodies -> IR, and IR -> the body a Chat upstream receives."""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dragoman.dialects.openai_chat import request as chat
from dragoman.dialects.openai_chat.tools import CUSTOM_INPUT_SCHEMA
from dragoman.ir.errors import InvalidRequest
from dragoman.ir.messages import Document, Image, Message, Text, Thinking, ToolCall, ToolResult
from dragoman.ir.request import Reasoning, Request, ResponseFormat
from dragoman.ir.tools import Tool, ToolChoice
from tests.captures import files
from tests.fakes.openai_chat_validate import validate

CHAT_FIXTURES = [
    path
    for path in files("python-sdks/*.json")
    if orjson.loads(path.read_bytes())["path"] == "/v1/chat/completions"
]


def body(**fields: Any) -> dict[str, Any]:
    return {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}], **fields}


# -- parse: captured requests ------------------------------------------------------------


@pytest.mark.parametrize("path", CHAT_FIXTURES, ids=lambda path: path.name)
def test_every_captured_sdk_request_parses(path: Path) -> None:
    captured = orjson.loads(path.read_bytes())["body"]
    request = chat.parse(captured)
    assert request.model == captured["model"]
    assert request.source == "openai_chat"
    assert request.stream == captured.get("stream", False)
    assert request.include_usage == captured.get("stream_options", {}).get("include_usage", False)
    assert [message.text() for message in request.messages] == [m["content"] for m in captured["messages"]]
    assert request.extras == {}


def test_fixtures_include_stream_and_plain_requests() -> None:
    assert len(CHAT_FIXTURES) >= 2
    streams = {orjson.loads(path.read_bytes())["body"].get("stream", False) for path in CHAT_FIXTURES}
    assert streams == {True, False}


# -- parse: messages ---------------------------------------------------------------------


def test_leading_system_and_developer_text_is_the_system_prompt() -> None:
    request = chat.parse(
        body(
            messages=[
                {"role": "system", "content": "one"},
                {
                    "role": "developer",
                    "content": [{"type": "text", "text": "two", "cache_control": {"type": "x"}}],
                },
                {"role": "user", "content": "hi"},
                {"role": "developer", "content": "later"},
            ]
        )
    )
    assert request.system == [Text("one"), Text("two", cache_control={"type": "x"})]
    assert request.messages == [Message("user", [Text("hi")]), Message("system", [Text("later")])]


def test_user_parts() -> None:
    content = [
        {"type": "text", "text": "look"},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBO", "detail": "high"}},
        {"type": "image_url", "image_url": {"url": "https://x.test/a.jpg"}},
        {"type": "image_url", "image_url": "https://x.test/b.jpg"},
        {"type": "file", "file": {"file_data": "data:application/pdf;base64,JVBE", "filename": "a.pdf"}},
        {"type": "file", "file": {"file_data": "JVBE", "filename": "b.pdf"}},
        {"type": "input_audio", "input_audio": {"data": "UklG", "format": "wav"}},
    ]
    (message,) = chat.parse(body(messages=[{"role": "user", "content": content}])).messages
    assert message.parts == [
        Text("look"),
        Image(media_type="image/png", data="iVBO", detail="high"),
        Image(url="https://x.test/a.jpg"),
        Image(url="https://x.test/b.jpg"),
        Document(media_type="application/pdf", data="JVBE", filename="a.pdf"),
        Document(media_type="application/pdf", data="JVBE", filename="b.pdf"),
        Document(media_type="audio/wav", data="UklG"),
    ]


def test_assistant_turn_with_reasoning_text_and_calls() -> None:
    assistant = {
        "role": "assistant",
        "reasoning_content": "let me think",
        "content": [{"type": "text", "text": "calling"}, {"type": "refusal", "refusal": "no"}],
        "tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": "read", "arguments": '{"p":1}'}},
            {"id": "call_2", "type": "custom", "custom": {"name": "patch", "input": "*** diff"}},
        ],
    }
    request = chat.parse(body(messages=[{"role": "user", "content": "go"}, assistant]))
    assert request.messages[1] == Message(
        "assistant",
        [
            Thinking("let me think"),
            Text("calling"),
            Text("no"),
            ToolCall("call_1", "read", '{"p":1}'),
            ToolCall("call_2", "patch", '{"input":"*** diff"}'),
        ],
    )


@pytest.mark.parametrize("field", ["reasoning_content", "reasoning"])
def test_reasoning_field_of_either_name_is_thinking(field: str) -> None:
    assistant = {"role": "assistant", "content": "ok", field: "thought"}
    request = chat.parse(body(messages=[{"role": "user", "content": "q"}, assistant]))
    assert request.messages[1].parts == [Thinking("thought"), Text("ok")]


def test_consecutive_tool_messages_form_one_user_message() -> None:
    messages = [
        {"role": "user", "content": "go"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "a", "type": "function", "function": {"name": "f", "arguments": "{}"}},
                {"id": "b", "type": "function", "function": {"name": "g", "arguments": "{}"}},
            ],
        },
        {"role": "tool", "tool_call_id": "a", "content": "one"},
        {"role": "tool", "tool_call_id": "b", "content": [{"type": "text", "text": "two"}]},
        {"role": "user", "content": "thanks"},
    ]
    request = chat.parse(body(messages=messages))
    assert request.messages[2] == Message(
        "user", [ToolResult("a", [Text("one")], name="f"), ToolResult("b", [Text("two")], name="g")]
    )
    assert request.messages[3] == Message("user", [Text("thanks")])


def test_legacy_functions() -> None:
    messages = [
        {"role": "user", "content": "weather?"},
        {"role": "assistant", "content": None, "function_call": {"name": "weather", "arguments": "{}"}},
        {"role": "function", "name": "weather", "content": "sunny"},
    ]
    request = chat.parse(
        body(
            messages=messages,
            functions=[{"name": "weather", "parameters": {}}],
            function_call={"name": "weather"},
        )
    )
    call = request.messages[1].parts[0]
    assert isinstance(call, ToolCall) and call.name == "weather"
    assert request.messages[2] == Message("user", [ToolResult(call.id, [Text("sunny")], name="weather")])
    assert request.tools == [Tool("weather", parameters={})]
    assert request.tool_choice == ToolChoice("tool", name="weather")


# -- parse: tools and controls -----------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("auto", ToolChoice("auto")),
        ("none", ToolChoice("none")),
        ("required", ToolChoice("required")),
        ({"type": "function", "function": {"name": "f"}}, ToolChoice("tool", name="f")),
        ({"type": "custom", "custom": {"name": "f"}}, ToolChoice("tool", name="f")),
        (
            {
                "type": "allowed_tools",
                "allowed_tools": {
                    "mode": "required",
                    "tools": [{"type": "function", "function": {"name": "f"}}],
                },
            },
            ToolChoice("required", allowed=["f"]),
        ),
    ],
)
def test_tool_choice(value: object, expected: ToolChoice) -> None:
    tools = [{"type": "function", "function": {"name": "f"}}]
    assert chat.parse(body(tools=tools, tool_choice=value)).tool_choice == expected


def test_tools_of_every_kind() -> None:
    tools = [
        {
            "type": "function",
            "function": {"name": "f", "description": "d", "parameters": {"type": "object"}, "strict": True},
        },
        {"type": "custom", "custom": {"name": "patch", "format": {"type": "grammar", "grammar": {}}}},
        {"type": "web_search_preview"},
    ]
    request = chat.parse(body(tools=tools, parallel_tool_calls=False))
    assert request.tools == [
        Tool("f", description="d", parameters={"type": "object"}, strict=True),
        Tool("patch", type="custom", format={"type": "grammar", "grammar": {}}),
        Tool("web_search_preview", type="native", raw=tools[2], dialect="openai_chat"),
    ]
    assert request.parallel_tool_calls is False


def test_controls() -> None:
    request = chat.parse(
        body(
            max_completion_tokens=100,
            max_tokens=5,
            temperature=1,
            top_p=0.5,
            stop="END",
            seed=7,
            presence_penalty=0.1,
            frequency_penalty=-0.1,
            response_format={
                "type": "json_schema",
                "json_schema": {"name": "x", "schema": {"type": "object"}, "strict": True},
            },
            reasoning_effort="high",
            user="u1",
            metadata={"k": "v"},
            stream=True,
            stream_options={"include_usage": True},
            logit_bias={"50256": -100},
            store=False,
        )
    )
    assert (request.max_tokens, request.temperature, request.top_p, request.seed) == (100, 1.0, 0.5, 7)
    assert (request.presence_penalty, request.frequency_penalty, request.stop) == (0.1, -0.1, ["END"])
    assert request.response_format == ResponseFormat(
        "json_schema", name="x", schema={"type": "object"}, strict=True
    )
    assert request.reasoning == Reasoning(enabled=True, effort="high")
    assert (request.user, request.metadata, request.stream, request.include_usage) == (
        "u1",
        {"k": "v"},
        True,
        True,
    )
    assert request.extras == {"logit_bias": {"50256": -100}, "store": False}


def test_legacy_max_tokens_and_effort_none() -> None:
    request = chat.parse(body(max_tokens=64, reasoning_effort="none"))
    assert request.max_tokens == 64
    assert request.reasoning == Reasoning(enabled=False, effort="none")


# -- parse: bad input --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ([1, 2], "the request body must be a JSON object"),
        ({"messages": []}, "model: expected a string, got null"),
        (body(messages="hi"), "messages: expected a list, got string"),
        (body(messages=[{"role": "robot", "content": "x"}]), "messages[0].role: unknown role 'robot'"),
        (
            body(messages=[{"role": "user", "content": [{"type": "foo"}]}]),
            "messages[0].content[0].type: unknown content part type 'foo'",
        ),
        (
            body(
                messages=[{"role": "system", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}]
            ),
            "messages[0].content[0].type: a 'image_url' part is not allowed in this message",
        ),
        (
            body(messages=[{"role": "user", "content": 3}]),
            "messages[0].content: expected a string or a list, got number",
        ),
        (
            body(messages=[{"role": "tool", "content": "x"}]),
            "messages[0].tool_call_id: expected a string, got null",
        ),
        (
            body(messages=[{"role": "user", "content": [{"type": "file", "file": {"file_id": "file-1"}}]}]),
            "messages[0].content[0].file: only inline files (file_data) are supported, not file_id",
        ),
        (body(temperature="hot"), "temperature: expected a number, got string"),
        (body(max_tokens=True), "max_tokens: expected an integer, got boolean"),
        (body(stop=["a", 1]), "stop[1]: expected a string, got number"),
        (body(tool_choice="sometimes"), "tool_choice: expected one of none, auto, required, got 'sometimes'"),
        (body(tools=[{"type": "function"}]), "tools[0].function: expected an object, got null"),
        (body(reasoning_effort="extreme"), "reasoning_effort: expected one of"),
        (body(response_format={"type": "yaml"}), "response_format.type: unknown response format 'yaml'"),
    ],
)
def test_bad_input_names_the_field(bad: object, message: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        chat.parse(bad)
    assert caught.value.message.startswith(message)


_KEYS = [
    "role",
    "content",
    "type",
    "text",
    "tool_calls",
    "function",
    "name",
    "arguments",
    "id",
    "tool_call_id",
    "image_url",
    "url",
    "file",
    "file_data",
    "custom",
    "allowed_tools",
    "mode",
    "tools",
]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(_KEYS), inner, max_size=4),
    max_leaves=20,
)
roles = st.sampled_from(["system", "developer", "user", "assistant", "tool", "function", "robot"])
message_like = st.dictionaries(st.sampled_from(_KEYS), json_values, max_size=4).flatmap(
    lambda fields: roles.map(lambda role: {"role": role, **fields})
)
body_like = st.fixed_dictionaries(
    {"model": st.text(max_size=5), "messages": st.lists(message_like, max_size=4)},
    optional={
        key: json_values
        for key in [
            "tools",
            "tool_choice",
            "functions",
            "function_call",
            "stop",
            "response_format",
            "stream_options",
            "metadata",
        ]
    },
)


@given(st.one_of(json_values, body_like))
def test_any_json_parses_or_raises_invalid_request(value: object) -> None:
    """Whatever a client sends, the answer is a request or a 400 naming the field."""
    with contextlib.suppress(InvalidRequest):
        chat.parse(value)


# -- render ------------------------------------------------------------------------------


def render(request: Request, origin: str = "openai") -> dict[str, Any]:
    return chat.render(request, model="upstream-model", origin=origin)


def test_render_basics() -> None:
    body = render(
        Request(model="client", messages=[Message("user", [Text("hi")])], max_tokens=10, stream=True)
    )
    assert body == {
        "model": "upstream-model",
        "messages": [{"role": "user", "content": "hi"}],
        "max_completion_tokens": 10,
        "stream": True,
        "stream_options": {"include_usage": True},
    }


def test_tool_results_follow_the_assistant_and_images_move_after_them() -> None:
    image = Image(media_type="image/png", data="iVBO")
    request = Request(
        model="m",
        source="anthropic",
        messages=[
            Message(
                "assistant", [Text("reading"), ToolCall("a", "read", '{"p":1}'), ToolCall("b", "shot", "")]
            ),
            Message(
                "user",
                [
                    ToolResult("a", [Text("line 1"), Text("line 2")]),
                    ToolResult("b", [Text("see image"), image], is_error=True),
                    Text("continue"),
                ],
            ),
        ],
    )
    assert render(request)["messages"] == [
        {
            "role": "assistant",
            "content": "reading",
            "tool_calls": [
                {"id": "a", "type": "function", "function": {"name": "read", "arguments": '{"p":1}'}},
                {"id": "b", "type": "function", "function": {"name": "shot", "arguments": "{}"}},
            ],
        },
        {"role": "tool", "tool_call_id": "a", "content": "line 1\nline 2"},
        {"role": "tool", "tool_call_id": "b", "content": "see image"},
        {
            "role": "user",
            "content": [
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBO"}},
                {"type": "text", "text": "continue"},
            ],
        },
    ]


def test_thinking_is_sent_only_where_the_keep_rule_allows() -> None:
    def reasoning_of(thinking: Thinking, source: str) -> object:
        messages = [Message("user", [Text("q")]), Message("assistant", [thinking, Text("a")])]
        rendered = render(Request(model="m", source=source, messages=messages), origin="deepseek")
        return rendered["messages"][1].get("reasoning_content")

    assert reasoning_of(Thinking("mine", origin="deepseek"), "anthropic") == "mine"
    assert reasoning_of(Thinking("theirs", signature="sig", origin="anthropic"), "anthropic") is None
    assert reasoning_of(Thinking("old", signature="sig"), "anthropic") is None
    assert reasoning_of(Thinking("old"), "openai_chat") == "old"
    assert reasoning_of(Thinking("", signature="data", redacted=True, origin="deepseek"), "anthropic") is None


def test_tools_render_as_functions(caplog: pytest.LogCaptureFixture) -> None:
    tools = [
        Tool("f", parameters={"type": "object"}, strict=True, cache_control={"type": "ephemeral"}),
        Tool("apply_patch", description="patch", type="custom", format={"type": "grammar"}),
        Tool("web_search", type="native", raw={"type": "web_search"}, dialect="openai_responses"),
    ]
    with caplog.at_level(logging.WARNING, logger="dragoman.dialects"):
        body = render(
            Request(model="m", tools=tools, tool_choice=ToolChoice("required"), parallel_tool_calls=True)
        )
    assert body["tools"] == [
        {"type": "function", "function": {"name": "f", "parameters": {"type": "object"}, "strict": True}},
        {
            "type": "function",
            "function": {"name": "apply_patch", "description": "patch", "parameters": CUSTOM_INPUT_SCHEMA},
        },
    ]
    assert (body["tool_choice"], body["parallel_tool_calls"]) == ("required", True)
    assert "web_search" in caplog.text


def test_no_tool_controls_without_tools() -> None:
    tools = [Tool("x", type="native", raw={"type": "x"}, dialect="gemini")]
    body = render(Request(model="m", tools=tools, tool_choice=ToolChoice("auto"), parallel_tool_calls=False))
    assert not {"tools", "tool_choice", "parallel_tool_calls"} & body.keys()


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        (ToolChoice("tool", name="f"), {"type": "function", "function": {"name": "f"}}),
        (
            ToolChoice("auto", allowed=["f", "g"]),
            {
                "type": "allowed_tools",
                "allowed_tools": {
                    "mode": "auto",
                    "tools": [
                        {"type": "function", "function": {"name": "f"}},
                        {"type": "function", "function": {"name": "g"}},
                    ],
                },
            },
        ),
        (ToolChoice("none"), "none"),
    ],
)
def test_render_tool_choice(choice: ToolChoice, expected: object) -> None:
    assert (
        render(Request(model="m", tools=[Tool("f"), Tool("g")], tool_choice=choice))["tool_choice"]
        == expected
    )


def test_client_only_fields_reach_a_chat_upstream_only_from_a_chat_client() -> None:
    fields: dict[str, Any] = {"metadata": {"k": "v"}, "top_k": 5, "extras": {"store": True}}
    system = [Text("a", cache_control={"type": "ephemeral"}), Text("b")]
    chat_body = render(Request(model="m", system=system, source="openai_chat", **fields))
    assert (chat_body["metadata"], chat_body["top_k"], chat_body["store"]) == ({"k": "v"}, 5, True)
    assert chat_body["messages"][0]["content"] == [
        {"type": "text", "text": "a", "cache_control": {"type": "ephemeral"}},
        {"type": "text", "text": "b"},
    ]
    other_body = render(Request(model="m", system=system, source="anthropic", **fields))
    assert not {"metadata", "top_k", "store"} & other_body.keys()
    assert other_body["messages"][0] == {"role": "system", "content": "a\n\nb"}


@pytest.mark.parametrize(
    ("reasoning", "expected"),
    [
        (Reasoning(effort="low"), "low"),
        (Reasoning(enabled=True, budget_tokens=31999), "xhigh"),
        (Reasoning(enabled=False), None),
        (Reasoning(enabled=False, effort="none"), "none"),
        (Reasoning(enabled=True), None),
    ],
)
def test_reasoning_effort(reasoning: Reasoning, expected: str | None) -> None:
    assert render(Request(model="m", reasoning=reasoning)).get("reasoning_effort") == expected


def test_documents() -> None:
    parts = [
        Document(media_type="application/pdf", data="JVBE"),
        Document(text="plain words", title="notes"),
        Document(url="https://x.test/doc.pdf"),
        Document(media_type="audio/mp3", data="SUQz"),
    ]
    (message,) = render(Request(model="m", messages=[Message("user", parts)]))["messages"]
    assert message["content"] == [
        {
            "type": "file",
            "file": {"file_data": "data:application/pdf;base64,JVBE", "filename": "document.pdf"},
        },
        {"type": "text", "text": "plain words"},
        {"type": "text", "text": "https://x.test/doc.pdf"},
        {"type": "input_audio", "input_audio": {"data": "SUQz", "format": "mp3"}},
    ]


def test_stop_sequences_are_capped_at_four() -> None:
    assert render(Request(model="m", stop=list("abcdef")))["stop"] == list("abcd")


def test_render_passes_the_openai_fake_checks() -> None:
    request = Request(
        model="m",
        source="anthropic",
        system=[Text("sys", cache_control={"type": "ephemeral"})],
        messages=[
            Message("user", [Text("go")]),
            Message(
                "assistant", [Thinking("t", signature="s", origin="anthropic"), ToolCall("a", "read", "")]
            ),
            Message("user", [ToolResult("a", [Image(url="https://x.test/i.png")])]),
        ],
        tools=[Tool("read", parameters={"type": "object", "properties": {}}), Tool("free", type="custom")],
        tool_choice=ToolChoice("auto"),
        max_tokens=100,
        stream=True,
    )
    validate(chat.render(request, model="gpt-5", origin="openai"))


def test_upstream_path() -> None:
    assert chat.upstream_path("gpt-4o", True) == chat.upstream_path("gpt-4o", False) == "/chat/completions"

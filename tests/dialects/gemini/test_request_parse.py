from __future__ import annotations

import base64
from typing import Any

import pytest

from dragoman.dialects.gemini.parts import encode_signature
from dragoman.dialects.gemini.request import parse
from dragoman.ir import (
    Document,
    Image,
    Reasoning,
    ResponseFormat,
    Text,
    Thinking,
    ToolCall,
    ToolChoice,
    ToolResult,
)
from dragoman.ir.errors import InvalidRequest


def user(*parts: dict[str, Any]) -> dict[str, Any]:
    return {"role": "user", "parts": list(parts)}


def model(*parts: dict[str, Any]) -> dict[str, Any]:
    return {"role": "model", "parts": list(parts)}


def test_model_and_stream_come_from_the_route() -> None:
    request = parse({"contents": [user({"text": "hi"})]}, model="gemini-2.5-flash", stream=True)
    assert (request.model, request.stream, request.source) == ("gemini-2.5-flash", True, "gemini")
    assert request.messages[0].role == "user"
    assert request.messages[0].parts == [Text("hi")]


def test_count_tokens_bodies() -> None:
    plain = parse({"contents": [user({"text": "hi"})]}, model="gemini-2.5-flash")
    wrapped = parse(
        {"generateContentRequest": {"model": "models/gemini-2.5-flash", "contents": [user({"text": "hi"})]}}
    )
    assert plain == wrapped
    assert wrapped.model == "gemini-2.5-flash"


def test_roles_and_missing_role() -> None:
    request = parse(
        {"contents": [{"parts": [{"text": "a"}]}, model({"text": "b"}), {"role": "function", "parts": []}]}
    )
    assert [m.role for m in request.messages] == ["user", "assistant", "user"]


def test_system_instruction_object_or_string() -> None:
    body = {
        "systemInstruction": {"role": "user", "parts": [{"text": "one"}, {"text": "two"}]},
        "contents": [],
    }
    assert parse(body).system == [Text("one"), Text("two")]
    assert parse({"system_instruction": "plain", "contents": []}).system == [Text("plain")]


def test_function_calls_without_ids_get_positional_ids_and_results_match_by_name() -> None:
    body = {
        "contents": [
            user({"text": "read both"}),
            model(
                {"functionCall": {"name": "read", "args": {"p": "a"}}},
                {"functionCall": {"name": "read", "args": {}}},
            ),
            user(
                {"functionResponse": {"name": "read", "response": {"output": "A"}}},
                {"functionResponse": {"name": "read", "response": {"output": "B"}}},
            ),
        ]
    }
    request = parse(body)
    calls = request.messages[1].parts
    assert calls == [ToolCall("call_1_0", "read", '{"p":"a"}'), ToolCall("call_1_1", "read", "{}")]
    results = request.messages[2].parts
    assert [(r.call_id, r.name, r.content) for r in results] == [  # type: ignore[union-attr]
        ("call_1_0", "read", [Text("A")]),
        ("call_1_1", "read", [Text("B")]),
    ]
    assert parse(body).messages[1].parts[0].id == "call_1_0"  # type: ignore[union-attr]


def test_results_prefer_ids_then_the_latest_turn_with_an_open_call() -> None:
    body = {
        "contents": [
            model({"functionCall": {"name": "ls", "args": {}}}),  # never answered
            user({"text": "again"}),
            model({"functionCall": {"id": "x1", "name": "ls", "args": {}}}),
            user({"functionResponse": {"name": "ls", "response": {"output": "ok"}}}),
            model({"functionCall": {"id": "x2", "name": "cat", "args": {}}}),
            user({"functionResponse": {"id": "x2", "name": "cat", "response": {"output": "ok"}}}),
            user({"functionResponse": {"name": "orphan", "response": {}}}),
        ]
    }
    messages = parse(body).messages
    assert messages[3].parts[0].call_id == "x1"  # type: ignore[union-attr]
    assert messages[5].parts[0].call_id == "x2"  # type: ignore[union-attr]
    assert messages[6].parts[0] == ToolResult(call_id="call_6_0", name="orphan")


@pytest.mark.parametrize(
    ("response", "content", "is_error"),
    [
        ({"output": "text"}, [Text("text")], False),
        ({"error": "boom"}, [Text("boom")], True),
        ({"error": {"code": 1}}, [Text('{"code":1}')], True),
        ({"result": "x", "n": 2}, [Text('{"result":"x","n":2}')], False),
        ({"output": ["a"]}, [Text('{"output":["a"]}')], False),
        ({}, [], False),
    ],
)
def test_function_response_bodies(response: dict[str, Any], content: list[Text], is_error: bool) -> None:
    body = {"contents": [user({"functionResponse": {"id": "c", "name": "f", "response": response}})]}
    result = parse(body).messages[0].parts[0]
    assert result == ToolResult(call_id="c", name="f", content=content, is_error=is_error)  # type: ignore[arg-type]


def test_function_response_media_parts_join_the_result() -> None:
    response = {
        "id": "c",
        "name": "shot",
        "response": {"output": "see image"},
        "parts": [{"inlineData": {"mimeType": "image/png", "data": "AAAA"}}],
    }
    result = parse({"contents": [user({"functionResponse": response})]}).messages[0].parts[0]
    assert result.content == [Text("see image"), Image(media_type="image/png", data="AAAA")]  # type: ignore[union-attr]


def test_signature_on_a_function_call_is_a_thinking_part_before_it() -> None:
    part = {
        "functionCall": {"id": "c", "name": "f", "args": {}},
        "thoughtSignature": "skip_thought_signature_validator",
    }
    parts = parse({"contents": [model(part)]}).messages[0].parts
    assert parts == [
        Thinking(text="", signature="skip_thought_signature_validator"),
        ToolCall("c", "f", "{}"),
    ]


def test_thought_fragments_grow_one_thinking_until_signed() -> None:
    parts = (
        parse(
            {
                "contents": [
                    model(
                        {"text": "Let me ", "thought": True},
                        {"text": "think.", "thought": True},
                        {"text": "", "thought": True, "thoughtSignature": "s1"},
                        {"text": "More.", "thought": True},
                        {"text": "Answer", "thoughtSignature": "s2"},
                        {"text": "", "thoughtSignature": "s3"},
                    )
                ]
            }
        )
        .messages[0]
        .parts
    )
    assert parts == [
        Thinking(text="Let me think.", signature="s1"),
        Thinking(text="More."),
        Thinking(text="", signature="s2"),
        Text("Answer"),
        Thinking(text="", signature="s3"),
    ]


def test_dragoman_wrapped_signatures_are_recognised() -> None:
    original = Thinking(text="t", signature="abc~def", origin="claude", id="rs_1")
    sent_back = encode_signature(original)
    assert sent_back is not None
    # google-genai re-encodes the bytes url-safe; standard base64 works as well.
    standard = base64.b64encode(base64.urlsafe_b64decode(sent_back)).decode().rstrip("=")
    for value in (sent_back, standard):
        part = parse({"contents": [model({"text": "t", "thought": True, "thoughtSignature": value})]})
        assert part.messages[0].parts == [original]


def test_media_parts() -> None:
    parts = (
        parse(
            {
                "contents": [
                    user(
                        {"inlineData": {"mimeType": "image/jpeg", "data": "IMG"}},
                        {"inline_data": {"mime_type": "application/pdf", "data": "PDF"}},
                        {"fileData": {"mimeType": "image/png", "fileUri": "gs://b/i.png"}},
                        {"file_data": {"file_uri": "https://youtu.be/x"}},
                        {"text": ""},
                    )
                ]
            }
        )
        .messages[0]
        .parts
    )
    assert parts == [
        Image(media_type="image/jpeg", data="IMG"),
        Document(media_type="application/pdf", data="PDF"),
        Image(media_type="image/png", url="gs://b/i.png"),
        Document(url="https://youtu.be/x"),
    ]


def test_code_execution_parts_are_kept_as_text() -> None:
    parts = (
        parse(
            {
                "contents": [
                    model(
                        {"executableCode": {"language": "PYTHON", "code": "print(1)"}},
                        {"codeExecutionResult": {"outcome": "OUTCOME_OK", "output": "1"}},
                    )
                ]
            }
        )
        .messages[0]
        .parts
    )
    assert parts == [Text("```python\nprint(1)\n```"), Text("```\n1\n```")]


def test_tools_in_both_spellings_and_native_tools() -> None:
    body = {
        "contents": [],
        "tools": [
            {"functionDeclarations": [{"name": "a", "description": "A", "parameters": {"type": "OBJECT"}}]},
            {"function_declarations": [{"name": "b", "parameters_json_schema": {"type": "object"}}]},
            {"googleSearch": {}},
            {"code_execution": {}},
        ],
    }
    tools = parse(body).tools
    assert [(t.name, t.type, t.parameters, t.raw, t.dialect) for t in tools] == [
        ("a", "function", {"type": "object"}, None, None),
        ("b", "function", {"type": "object"}, None, None),
        ("googleSearch", "native", None, {"googleSearch": {}}, "gemini"),
        ("codeExecution", "native", None, {"codeExecution": {}}, "gemini"),
    ]
    assert tools[0].description == "A"


@pytest.mark.parametrize(
    ("config", "choice"),
    [
        ({"mode": "AUTO"}, ToolChoice("auto")),
        ({"mode": "NONE"}, ToolChoice("none")),
        ({"mode": "ANY"}, ToolChoice("required")),
        ({"mode": "ANY", "allowedFunctionNames": ["f"]}, ToolChoice("tool", name="f")),
        ({"mode": "ANY", "allowed_function_names": ["f", "g"]}, ToolChoice("required", allowed=["f", "g"])),
        ({"mode": "VALIDATED"}, ToolChoice("auto")),
    ],
)
def test_function_calling_modes(config: dict[str, Any], choice: ToolChoice) -> None:
    body = {"contents": [], "toolConfig": {"functionCallingConfig": config, "retrievalConfig": {"x": 1}}}
    request = parse(body)
    assert request.tool_choice == choice
    assert request.extras == {"toolConfig": {"retrievalConfig": {"x": 1}}}


def test_generation_config() -> None:
    body = {
        "contents": [],
        "generationConfig": {
            "temperature": 0.5,
            "topP": 0.9,
            "top_k": 40,
            "maxOutputTokens": 100,
            "stopSequences": ["END"],
            "seed": "7",
            "presencePenalty": 0.1,
            "frequency_penalty": 0.2,
            "candidateCount": 2,
            "responseModalities": ["TEXT"],
        },
        "safetySettings": [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "OFF"}],
        "cachedContent": "cachedContents/abc",
    }
    request = parse(body)
    assert (request.temperature, request.top_p, request.top_k, request.max_tokens) == (0.5, 0.9, 40, 100)
    assert (request.stop, request.seed, request.presence_penalty, request.frequency_penalty) == (
        ["END"],
        7,
        0.1,
        0.2,
    )
    assert request.choices == 2
    assert request.extras == {
        "generationConfig": {"responseModalities": ["TEXT"]},
        "safetySettings": body["safetySettings"],
        "cachedContent": "cachedContents/abc",
    }


@pytest.mark.parametrize(
    ("config", "reasoning"),
    [
        ({"thinkingBudget": -1}, Reasoning(enabled=True)),
        ({"thinkingBudget": 0}, Reasoning(enabled=False)),
        (
            {"thinkingBudget": 1024, "includeThoughts": True},
            Reasoning(enabled=True, budget_tokens=1024, include_thoughts=True),
        ),
        ({"thinking_level": "high"}, Reasoning(enabled=True, effort="high")),
        (
            {"thinkingLevel": "MINIMAL", "include_thoughts": False},
            Reasoning(enabled=True, effort="minimal", include_thoughts=False),
        ),
        ({}, Reasoning()),
    ],
)
def test_thinking_config(config: dict[str, Any], reasoning: Reasoning) -> None:
    request = parse({"contents": [], "generationConfig": {"thinkingConfig": config}})
    assert request.reasoning == reasoning


@pytest.mark.parametrize(
    ("config", "response_format", "extras"),
    [
        ({"responseMimeType": "application/json"}, ResponseFormat("json_object"), {}),
        (
            {"responseMimeType": "application/json", "responseSchema": {"type": "OBJECT", "nullable": True}},
            ResponseFormat("json_schema", schema={"type": ["object", "null"]}),
            {},
        ),
        (
            {"response_mime_type": "application/json", "response_json_schema": {"type": "string"}},
            ResponseFormat("json_schema", schema={"type": "string"}),
            {},
        ),
        (
            {"responseMimeType": "text/x.enum", "responseSchema": {"type": "STRING", "enum": ["a"]}},
            None,
            {
                "generationConfig": {
                    "responseMimeType": "text/x.enum",
                    "responseSchema": {"type": "STRING", "enum": ["a"]},
                }
            },
        ),
    ],
)
def test_response_format(
    config: dict[str, Any], response_format: ResponseFormat | None, extras: dict[str, Any]
) -> None:
    request = parse({"contents": [], "generationConfig": config})
    assert request.response_format == response_format
    assert request.extras == extras


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ([], "body"),
        ({"contents": {}}, "contents"),
        ({"contents": ["x"]}, "contents[0]"),
        ({"contents": [{"role": "assistant", "parts": []}]}, "contents[0].role"),
        ({"contents": [{"role": {"x": 1}, "parts": []}]}, "contents[0].role: expected a string"),
        ({"contents": [{"role": [], "parts": []}]}, "contents[0].role: expected a string"),
        ({"contents": [user({"mystery": 1})]}, "contents[0].parts[0]"),
        ({"contents": [user({"text": 5})]}, "contents[0].parts[0].text"),
        ({"contents": [model({"functionCall": {"args": {}}})]}, "contents[0].parts[0].functionCall.name"),
        (
            {"contents": [user({"inlineData": {"mimeType": "image/png"}})]},
            "contents[0].parts[0].inlineData.data",
        ),
        ({"contents": [], "generationConfig": {"temperature": "hot"}}, "generationConfig.temperature"),
        ({"contents": [], "generationConfig": {"topK": 1.5}}, "generationConfig.topK"),
        (
            {"contents": [], "tools": [{"functionDeclarations": [{}]}]},
            "tools[0].functionDeclarations[0].name",
        ),
        ({"contents": [], "toolConfig": {"functionCallingConfig": {"mode": "SOMETIMES"}}}, "toolConfig"),
        (
            {"contents": [], "systemInstruction": {"parts": [{"inlineData": {}}]}},
            "systemInstruction.parts[0].text",
        ),
    ],
)
def test_bad_input_names_the_field(body: Any, path: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        parse(body)
    assert caught.value.message.startswith(path)


def test_url_safe_inline_data_becomes_standard_base64() -> None:
    """google-genai encodes bytes URL-safe; other providers only take the standard alphabet."""
    blob = {"mimeType": "image/png", "data": "ab-_cd-_"}
    part = parse({"contents": [user({"inlineData": blob})]}).messages[0].parts[0]
    assert part == Image(media_type="image/png", data="ab+/cd+/")

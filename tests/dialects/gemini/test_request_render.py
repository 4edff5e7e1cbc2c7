from __future__ import annotations

import logging
from typing import Any

import pytest

from dragoman.dialects.gemini.request import render, upstream_path
from dragoman.ir import (
    Document,
    Image,
    Message,
    Reasoning,
    Request,
    ResponseFormat,
    Text,
    Thinking,
    Tool,
    ToolCall,
    ToolChoice,
    ToolResult,
)


def body_for(request: Request, model: str = "gemini-2.5-flash", origin: str = "gemini") -> dict[str, Any]:
    return dict(render(request, model=model, origin=origin))


def test_upstream_path() -> None:
    assert upstream_path("gemini-2.5-pro", False) == "/models/gemini-2.5-pro:generateContent"
    assert upstream_path("gemini-2.5-pro", True) == "/models/gemini-2.5-pro:streamGenerateContent?alt=sse"


def test_roles_merge_and_system_text() -> None:
    request = Request(
        model="m",
        system=[Text("be brief"), Text("")],
        messages=[
            Message("user", [Text("a")]),
            Message("user", [Text("b")]),
            Message("system", [Text("now in French")]),
            Message("assistant", [Text("c")]),
        ],
    )
    body = body_for(request)
    assert body["contents"] == [
        {"role": "user", "parts": [{"text": "a"}, {"text": "b"}]},
        {"role": "model", "parts": [{"text": "c"}]},
    ]
    assert body["systemInstruction"] == {"parts": [{"text": "be brief"}, {"text": "now in French"}]}


def test_tool_results_become_function_responses_in_one_user_turn() -> None:
    request = Request(
        model="m",
        messages=[
            Message("assistant", [ToolCall("c1", "a", '{"x":1}'), ToolCall("c2", "b", "")]),
            Message("user", [ToolResult("c1", [Text("plain")], name="a")]),
            Message("user", [ToolResult("c2", [Text("bad"), Text("worse")], is_error=True, name="b")]),
        ],
    )
    contents = body_for(request)["contents"]
    assert contents[0]["parts"] == [
        {
            "functionCall": {"id": "c1", "name": "a", "args": {"x": 1}},
            "thoughtSignature": "skip_thought_signature_validator",
        },
        {"functionCall": {"id": "c2", "name": "b", "args": {}}},
    ]
    assert contents[1] == {
        "role": "user",
        "parts": [
            {"functionResponse": {"id": "c1", "name": "a", "response": {"output": "plain"}}},
            {"functionResponse": {"id": "c2", "name": "b", "response": {"error": "bad\nworse"}}},
        ],
    }


@pytest.mark.parametrize(
    ("content", "response"),
    [
        ([Text('{"temp": 20}')], {"temp": 20}),
        ([Text("[1, 2]")], {"output": "[1, 2]"}),
        ([Text("{not json")], {"output": "{not json"}),
        ([Document(text="file body")], {"output": "file body"}),
        ([], {}),
    ],
)
def test_function_response_is_always_an_object(content: list[Any], response: dict[str, Any]) -> None:
    request = Request(model="m", messages=[Message("user", [ToolResult("c", content, name="f")])])
    part = body_for(request)["contents"][0]["parts"][0]
    assert part["functionResponse"]["response"] == response


def test_images_in_tool_results_follow_the_responses() -> None:
    result = ToolResult("c", [Text("shot"), Image(media_type="image/png", data="PNG")], name="screenshot")
    request = Request(model="m", messages=[Message("user", [result, Text("and?")])])
    assert body_for(request)["contents"][0]["parts"] == [
        {"functionResponse": {"id": "c", "name": "screenshot", "response": {"output": "shot"}}},
        {"text": "and?"},
        {"inlineData": {"mimeType": "image/png", "data": "PNG"}},
    ]


def test_media_parts() -> None:
    parts = [
        Image(data="A"),
        Image(url="data:image/gif;base64,R0lG"),
        Image(url="https://x/y.jpg", media_type="image/jpeg"),
        Document(data="PDF"),
        Document(url="gs://b/f"),
        Text(""),
    ]
    body = body_for(Request(model="m", messages=[Message("user", parts)]))
    assert body["contents"][0]["parts"] == [
        {"inlineData": {"mimeType": "image/png", "data": "A"}},
        {"inlineData": {"mimeType": "image/gif", "data": "R0lG"}},
        {"fileData": {"fileUri": "https://x/y.jpg", "mimeType": "image/jpeg"}},
        {"inlineData": {"mimeType": "application/pdf", "data": "PDF"}},
        {"fileData": {"fileUri": "gs://b/f"}},
    ]


def test_thinking_is_kept_only_for_its_origin() -> None:
    parts = [
        Thinking("mine", signature="g1", origin="gemini"),
        Thinking("theirs", signature="a1", origin="anthropic"),
        Thinking("", signature="g2", origin="gemini"),
        ToolCall("c", "f", "{}"),
        Thinking("", signature="g3", origin="gemini"),
    ]
    request = Request(model="m", messages=[Message("assistant", parts)])
    assert body_for(request)["contents"][0]["parts"] == [
        {"text": "mine", "thought": True, "thoughtSignature": "g1"},
        {"functionCall": {"id": "c", "name": "f", "args": {}}, "thoughtSignature": "g2"},
        {"text": "", "thoughtSignature": "g3"},
    ]
    # Towards another Gemini account the same history keeps no signature: the call
    # gets the placeholder instead.
    other = body_for(request, origin="gemini-work")["contents"][0]["parts"]
    assert other == [
        {
            "functionCall": {"id": "c", "name": "f", "args": {}},
            "thoughtSignature": "skip_thought_signature_validator",
        }
    ]


def test_thinking_of_unknown_origin_is_kept_only_for_gemini_clients() -> None:
    message = Message("assistant", [Thinking("t", signature="s"), Text("answer")])
    foreign = body_for(Request(model="m", messages=[message], source="anthropic"))
    native = body_for(Request(model="m", messages=[message], source="gemini"))
    assert foreign["contents"][0]["parts"] == [{"text": "answer"}]
    assert native["contents"][0]["parts"][0] == {"text": "t", "thought": True, "thoughtSignature": "s"}


def test_empty_turns_are_dropped() -> None:
    request = Request(
        model="m",
        messages=[
            Message("user", [Text("q")]),
            Message("assistant", [Thinking("x", signature="s", origin="other")]),
            Message("user", [Text("q2")]),
        ],
    )
    assert body_for(request)["contents"] == [{"role": "user", "parts": [{"text": "q"}, {"text": "q2"}]}]


def test_tools(caplog: pytest.LogCaptureFixture) -> None:
    tools = [
        Tool(
            "f",
            "F",
            {"type": "object", "properties": {"p": {"type": "string"}}, "additionalProperties": False},
        ),
        Tool("noargs", parameters={"type": "object", "properties": {}}),
        Tool("bare"),
        Tool("patch", "Apply a patch", type="custom", format={"type": "grammar"}),
        Tool("googleSearch", type="native", raw={"googleSearch": {}}, dialect="gemini"),
        Tool("web_search", type="native", raw={"type": "web_search"}, dialect="openai_responses"),
    ]
    request = Request(model="m", tools=tools, tool_choice=ToolChoice("tool", name="f"))
    with caplog.at_level(logging.WARNING, logger="dragoman.dialects"):
        body = body_for(request)
    assert body["tools"] == [
        {
            "functionDeclarations": [
                {
                    "name": "f",
                    "description": "F",
                    "parameters": {"type": "object", "properties": {"p": {"type": "string"}}},
                },
                {"name": "noargs"},
                {"name": "bare"},
                {
                    "name": "patch",
                    "description": "Apply a patch",
                    "parameters": {
                        "type": "object",
                        "properties": {"input": {"type": "string"}},
                        "required": ["input"],
                    },
                },
            ]
        },
        {"googleSearch": {}},
    ]
    assert body["toolConfig"] == {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["f"]}}
    assert "web_search" in caplog.text


def test_free_form_objects_go_as_json_schema() -> None:
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {"headers": {"type": "object", "additionalProperties": {"type": "string"}}},
    }
    [declaration] = body_for(Request(model="m", tools=[Tool("fetch", parameters=schema)]))["tools"][0][
        "functionDeclarations"
    ]
    assert declaration == {
        "name": "fetch",
        "parametersJsonSchema": {
            "type": "object",
            "properties": {"headers": {"type": "object", "additionalProperties": {"type": "string"}}},
        },
    }


@pytest.mark.parametrize(
    ("choice", "config"),
    [
        (ToolChoice("auto"), {"mode": "AUTO"}),
        (ToolChoice("auto", allowed=["f"]), {"mode": "AUTO"}),
        (ToolChoice("none"), {"mode": "NONE"}),
        (ToolChoice("required"), {"mode": "ANY"}),
        (ToolChoice("required", allowed=["f", "g"]), {"mode": "ANY", "allowedFunctionNames": ["f", "g"]}),
    ],
)
def test_tool_choice(choice: ToolChoice, config: dict[str, Any]) -> None:
    body = body_for(Request(model="m", tools=[Tool("f")], tool_choice=choice))
    assert body["toolConfig"] == {"functionCallingConfig": config}


def test_no_tool_config_without_function_tools() -> None:
    request = Request(model="m", tool_choice=ToolChoice("required"))
    assert "toolConfig" not in body_for(request)


def test_generation_config_and_dropped_controls() -> None:
    request = Request(
        model="m",
        temperature=0.2,
        top_p=0.8,
        top_k=20,
        max_tokens=512,
        stop=["a", "b", "c", "d", "e", "f"],
        seed=3,
        presence_penalty=0.0,
        frequency_penalty=0.5,
        response_format=ResponseFormat("json_schema", name="x", schema={"type": "object", "$defs": {}}),
        parallel_tool_calls=False,
        user="u",
        metadata={"k": "v"},
    )
    body = body_for(request)
    assert body == {
        "contents": [],
        "generationConfig": {
            "temperature": 0.2,
            "topP": 0.8,
            "topK": 20,
            "maxOutputTokens": 512,
            "seed": 3,
            "frequencyPenalty": 0.5,
            "stopSequences": ["a", "b", "c", "d", "e"],
            "responseMimeType": "application/json",
            "responseJsonSchema": {"type": "object", "$defs": {}},
        },
    }
    json_mode = body_for(Request(model="m", response_format=ResponseFormat("json_object")))
    assert json_mode["generationConfig"] == {"responseMimeType": "application/json"}
    assert "generationConfig" not in body_for(Request(model="m", response_format=ResponseFormat("text")))


@pytest.mark.parametrize(
    ("reasoning", "model", "config"),
    [
        (Reasoning(enabled=True, budget_tokens=4096), "gemini-2.5-pro", {"thinkingBudget": 4096}),
        (Reasoning(enabled=True, budget_tokens=4096), "gemini-3-pro-preview", {"thinkingBudget": 4096}),
        (Reasoning(enabled=True, effort="low"), "gemini-2.5-flash", {"thinkingBudget": 2048}),
        (Reasoning(enabled=True, effort="xhigh"), "gemini-3.1-pro", {"thinkingLevel": "HIGH"}),
        (Reasoning(enabled=True, effort="minimal"), "models/gemini-3-flash", {"thinkingLevel": "MINIMAL"}),
        (Reasoning(enabled=False), "gemini-2.5-flash", {"thinkingBudget": 0}),
        (Reasoning(enabled=False), "gemini-3-pro", {"thinkingLevel": "LOW"}),
        (Reasoning(effort="none"), "gemini-2.5-flash", {"thinkingBudget": 0}),
        (Reasoning(enabled=True), "gemini-2.5-flash", {"thinkingBudget": -1}),
        (Reasoning(enabled=True), "gemini-3-pro", None),
        (
            Reasoning(enabled=True, effort="high", include_thoughts=True),
            "gemini-3-pro",
            {"includeThoughts": True, "thinkingLevel": "HIGH"},
        ),
        (Reasoning(enabled=True, summary="auto"), "gemini-3-pro", {"includeThoughts": True}),
        (Reasoning(enabled=False, summary="auto"), "gemini-2.5-pro", {"thinkingBudget": 0}),
    ],
)
def test_thinking_config(reasoning: Reasoning, model: str, config: dict[str, Any] | None) -> None:
    body = body_for(Request(model=model, reasoning=reasoning), model=model)
    assert body.get("generationConfig", {}).get("thinkingConfig") == config


def test_extras_only_reach_a_gemini_upstream_from_a_gemini_client() -> None:
    extras = {
        "safetySettings": [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "OFF"}],
        "generationConfig": {"candidateCount": 1, "temperature": 9},
        "toolConfig": {"retrievalConfig": {}},
    }
    request = Request(model="m", temperature=0.5, extras=extras, source="gemini")
    body = body_for(request)
    assert body["safetySettings"] == extras["safetySettings"]
    assert body["generationConfig"] == {"candidateCount": 1, "temperature": 0.5}
    assert body["toolConfig"] == {"retrievalConfig": {}}
    request.source = "openai_chat"
    assert set(body_for(request)) == {"contents", "generationConfig"}

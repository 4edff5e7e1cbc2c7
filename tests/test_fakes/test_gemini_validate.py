"""Each GenerateContentRequest rule the Gemini fake enforces rejects a bad request in google.rpc shape."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fakes import GeminiFake
from tests.test_fakes.raw import post

HI = {"role": "user", "parts": [{"text": "hi"}]}
BASE = {"contents": [HI]}
CALL = {"functionCall": {"name": "read", "args": {"p": "a"}}}
ANSWER = {"role": "user", "parts": [{"functionResponse": {"name": "read", "response": {"output": "x"}}}]}


def declared(parameters: dict[str, Any], key: str = "parameters") -> dict[str, Any]:
    return {**BASE, "tools": [{"functionDeclarations": [{"name": "f", key: parameters}]}]}


OBJECT = {"type": "OBJECT", "properties": {"a": {"type": "STRING"}}}
REJECTED = [
    ({}, "* GenerateContentRequest.contents: contents is not specified"),
    ({**BASE, "messages": []}, 'Unknown name "messages": Cannot find field.'),
    ({**BASE, "thinkingConfig": {}}, 'Unknown name "thinkingConfig": Cannot find field.'),
    (
        {"contents": [{"role": "assistant", "parts": [{"text": "x"}]}]},
        "Please use a valid role: user, model.",
    ),
    (
        {"contents": [{"role": "system", "parts": [{"text": "x"}]}, HI]},
        "Please use a valid role: user, model.",
    ),
    ({"contents": [{"role": "user", "parts": []}]}, "contents[0].parts: contents.parts must not be empty."),
    ({"contents": [{"role": "user", "parts": [{"thought": True}]}]}, "required oneof field 'data'"),
    (
        {"contents": [{"role": "user", "parts": [{"text": "x", "type": "text"}]}]},
        "Unknown name \"type\" at 'contents[0].parts[0]'",
    ),
    ({**BASE, "systemInstruction": "be brief"}, "Invalid value at 'system_instruction'"),
    (
        {
            "contents": [
                HI,
                {"role": "model", "parts": [CALL]},
                {"role": "user", "parts": [{"functionResponse": {"name": "read", "response": "x"}}]},
            ]
        },
        "Invalid value at 'contents[2].parts[0].function_response.response' "
        '(type.googleapis.com/google.protobuf.Struct), "x"',
    ),
    (
        {"contents": [HI, {"role": "model", "parts": [{**CALL, "thoughtSignature": "Zm9yZ2Vk"}]}, ANSWER]},
        "Corrupted thought signature.",
    ),
    (
        declared({**OBJECT, "additionalProperties": False}),
        "Unknown name \"additionalProperties\" at 'tools[0].function_declarations[0].parameters'",
    ),
    (declared({**OBJECT, "$schema": "x"}), 'Unknown name "$schema"'),
    (declared({"type": "OBJECT", "properties": {"a": {"$ref": "#/x"}}}), 'Unknown name "$ref"'),
    (declared({"type": "OBJECT", "properties": {"a": {"const": 1}}}), 'Unknown name "const"'),
    (
        declared({"type": "object", "properties": {}}),
        "parameters.properties: should be non-empty for OBJECT type",
    ),
    ({**BASE, "tools": [{"functionDeclarations": [{"name": "1bad"}]}]}, "Invalid function name."),
    (
        {**BASE, "generationConfig": {"thinkingConfig": {"thinkingBudget": 5, "thinkingLevel": "LOW"}}},
        "only one of thinking budget",
    ),
    ({**BASE, "generationConfig": {"max_tokens": 5}}, "Unknown name \"max_tokens\" at 'generation_config'"),
]


@pytest.mark.parametrize(("body", "message"), REJECTED)
def test_rejects(fake_gemini: GeminiFake, body: dict[str, Any], message: str) -> None:
    response = post(fake_gemini, "/v1beta/models/gemini-2.5-flash:generateContent", body)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert (error["code"], error["status"]) == (400, "INVALID_ARGUMENT")
    assert message in error["message"]


def test_gemini_3_needs_signed_calls_in_the_current_turn(fake_gemini: GeminiFake) -> None:
    unsigned = {"contents": [HI, {"role": "model", "parts": [CALL]}, ANSWER]}
    path = "/v1beta/models/{}:generateContent"
    assert post(fake_gemini, path.format("gemini-2.5-flash"), unsigned).status_code == 200
    rejected = post(fake_gemini, path.format("gemini-3-pro-preview"), unsigned)
    assert rejected.status_code == 400
    assert "Function call is missing a thought_signature" in rejected.json()["error"]["message"]
    skipped = {
        "contents": [
            HI,
            {"role": "model", "parts": [{**CALL, "thoughtSignature": "skip_thought_signature_validator"}]},
            ANSWER,
        ]
    }
    assert post(fake_gemini, path.format("gemini-3-pro-preview"), skipped).status_code == 200
    # An earlier turn (before the last real user message) is not validated.
    older = {"contents": [*unsigned["contents"], {"role": "model", "parts": [{"text": "done"}]}, HI]}
    assert post(fake_gemini, path.format("gemini-3-pro-preview"), older).status_code == 200


ACCEPTED = [
    # Plain JSON Schema is fine in parametersJsonSchema, as gemini-cli sends it.
    declared(
        {"type": "object", "properties": {}, "additionalProperties": False, "$schema": "x"},
        "parametersJsonSchema",
    ),
    declared(OBJECT),
    # Protobuf JSON takes snake_case names too.
    {
        "contents": [HI],
        "system_instruction": {"parts": [{"text": "be brief"}]},
        "generation_config": {"max_output_tokens": 5},
    },
    {"contents": [{"parts": [{"text": "no role"}]}]},
]


@pytest.mark.parametrize("body", ACCEPTED)
def test_accepts(fake_gemini: GeminiFake, body: dict[str, Any]) -> None:
    response = post(fake_gemini, "/v1beta/models/gemini-2.5-flash:generateContent", body)
    assert response.status_code == 200, response.text


def test_count_tokens_validates_too(fake_gemini: GeminiFake) -> None:
    path = "/v1beta/models/gemini-2.5-flash:countTokens"
    assert (
        post(fake_gemini, path, {"contents": [{"role": "bot", "parts": [{"text": "x"}]}]}).status_code == 400
    )
    wrapped = {"generateContentRequest": {"model": "models/gemini-2.5-flash", **BASE}}
    assert post(fake_gemini, path, wrapped).json()["totalTokens"] > 0

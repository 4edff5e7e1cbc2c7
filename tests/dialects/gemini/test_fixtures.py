"""Every captured Gemini client request parses, and renders back with nothing lost.

The captures are copied into tests/fixtures/ (from shared/fixtures/
client-requests). Rendering may merge consecutive same-role turns and normalise
schema type names; everything else must come back as the client sent it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import orjson
import pytest

from dragoman.dialects.gemini.request import parse, render
from dragoman.dialects.gemini.schema import to_json_schema
from dragoman.ir import Message
from tests.captures import CAPTURES

FILES = sorted(
    path
    for folder in ("gemini-cli", "python-sdks")
    for path in (CAPTURES / folder).glob("*gemini*.json")
    if orjson.loads(path.read_bytes())["method"] == "POST"
)
_MODEL = re.compile(r"/models/([^:/]+):(\w+)")


def test_the_captures_are_there() -> None:
    assert len(FILES) >= 12, f"expected the Gemini captures under {CAPTURES}"


def load(path: Path) -> tuple[dict[str, Any], str, bool]:
    capture = orjson.loads(path.read_bytes())
    match = _MODEL.search(capture["path"])
    assert match is not None
    return capture["body"], match.group(1), match.group(2) == "streamGenerateContent"


def merged(contents: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    turns: list[tuple[str, list[dict[str, Any]]]] = []
    for content in contents:
        role = content.get("role", "user")
        if turns and turns[-1][0] == role:
            turns[-1][1].extend(content["parts"])
        else:
            turns.append((role, list(content["parts"])))
    return turns


def merged_messages(messages: list[Message]) -> list[Message]:
    out: list[Message] = []
    for message in messages:
        if out and out[-1].role == message.role:
            out[-1] = Message(message.role, out[-1].parts + message.parts)
        else:
            out.append(message)
    return out


@pytest.mark.parametrize("path", FILES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_capture_renders_back_unchanged(path: Path) -> None:
    body, model, stream = load(path)
    request = parse(body, model=model, stream=stream)
    assert request.model == model and request.stream is stream
    rendered = dict(render(request, model=model, origin="gemini"))

    assert merged(rendered["contents"]) == merged(body["contents"])
    if "systemInstruction" in body:
        assert rendered["systemInstruction"]["parts"] == body["systemInstruction"]["parts"]
    assert _declarations(rendered) == _declarations(body)
    assert rendered.get("generationConfig", {}) == _generation_config(body)
    assert set(rendered) == set(body)


def _declarations(body: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for tool in body.get("tools", []):
        for declaration in tool["functionDeclarations"]:
            schema = declaration.get("parametersJsonSchema", declaration.get("parameters"))
            out.append(
                {"name": declaration["name"], "description": declaration["description"], "schema": schema}
            )
    return out


def _generation_config(body: dict[str, Any]) -> dict[str, Any]:
    """The client's generationConfig with its schema as the JSON Schema dragoman sends."""
    config = dict(body.get("generationConfig", {}))
    schema = config.pop("responseJsonSchema", config.pop("responseSchema", None))
    if schema is not None:
        config["responseJsonSchema"] = to_json_schema(schema)
    return config


@pytest.mark.parametrize("path", FILES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_capture_parses_the_same_after_a_round_trip(path: Path) -> None:
    body, model, stream = load(path)
    request = parse(body, model=model, stream=stream)
    again = parse(
        orjson.loads(orjson.dumps(render(request, model=model, origin="gemini"))), model=model, stream=stream
    )
    assert merged_messages(again.messages) == merged_messages(request.messages)
    again.messages = request.messages
    assert again == request


def test_tool_call_history_from_gemini_cli() -> None:
    body, model, stream = load(CAPTURES / "gemini-cli" / "03-gemini.stream.json")
    request = parse(body, model=model, stream=stream)
    call = request.messages[1].parts[1]
    result = request.messages[2].parts[0]
    assert call.kind == "tool_call" and result.kind == "tool_result"
    assert result.call_id == call.id == "read_file_1795239957751_0"  # type: ignore[union-attr]
    assert result.content[0].text == "capture-file-content\n"  # type: ignore[union-attr]
    assert request.reasoning is not None and request.reasoning.budget_tokens == 8192
    assert len(request.tools) == 8

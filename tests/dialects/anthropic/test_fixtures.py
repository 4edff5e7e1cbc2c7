"""Every captured Anthropic client request parses, and an Anthropic upstream gets it back
whole; rendered for a client of another dialect, it still meets the API's rules."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from dragoman.dialects.anthropic import count_tokens, request
from tests.captures import CAPTURES
from tests.fakes.anthropic_validate import Check, betas_of, validate

FIXTURES = CAPTURES
MESSAGES = sorted(FIXTURES.glob("claude-code/*anthropic.messages*.json")) + sorted(
    FIXTURES.glob("python-sdks/*anthropic.messages*.json")
)
# Captures whose last assistant turn calls a tool without the thinking a real model
# would have sent (the capture server answered without any): thinking must go off.
TOOL_LOOPS_WITHOUT_THINKING = {"03-anthropic.messages.stream.json", "06-anthropic.messages.stream.json"}


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def normalised(body: dict[str, Any]) -> dict[str, Any]:
    """`body` with the shorthands spelled out: string content as one text block."""
    body = copy.deepcopy(body)
    if isinstance(body.get("system"), str):
        body["system"] = [{"type": "text", "text": body["system"]}]
    for message in body["messages"]:
        if isinstance(message["content"], str):
            message["content"] = [{"type": "text", "text": message["content"]}]
    return body


def test_the_fixtures_are_there() -> None:
    assert len(MESSAGES) >= 9


@pytest.mark.parametrize("path", MESSAGES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_an_anthropic_upstream_gets_the_client_s_request_back(path: Path) -> None:
    sent = load(path)["body"]
    rendered = request.render(request.parse(sent), model=sent["model"], origin="claude")
    expected = normalised(sent)
    if path.name in TOOL_LOOPS_WITHOUT_THINKING and path.parent.name == "claude-code":
        assert rendered.pop("thinking") == {"type": "disabled"}
        expected.pop("thinking")
    assert rendered == expected


@pytest.mark.parametrize("path", MESSAGES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_the_rendered_request_meets_the_api_rules(path: Path) -> None:
    capture = load(path)
    rendered = request.render(request.parse(capture["body"]), model="claude-sonnet-4-5", origin="claude")
    betas = [
        *betas_of({key.lower(): value for key, value in capture["headers"].items()}),
        "mid-conversation-system",
    ]
    validate(Check(body=rendered, betas=betas, signatures=set()))


@pytest.mark.parametrize("path", MESSAGES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_for_a_client_of_another_dialect_it_meets_the_api_rules_too(path: Path) -> None:
    parsed = request.parse(load(path)["body"])
    parsed.source = "openai_chat"
    rendered = request.render(parsed, model="claude-sonnet-4-5", origin="claude")
    assert all(message["role"] != "system" for message in rendered["messages"])
    assert "context_management" not in rendered
    validate(Check(body=rendered, betas=[], signatures=set()))


def test_the_count_tokens_fixture_parses_without_max_tokens() -> None:
    sent = load(FIXTURES / "python-sdks" / "09-anthropic.count_tokens.json")["body"]
    parsed = count_tokens.parse(sent)
    assert parsed.max_tokens is None
    assert parsed.messages[0].text() == "hi"

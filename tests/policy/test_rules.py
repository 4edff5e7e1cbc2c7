"""Rule matching, field by field: every given field must hold; the first rule wins."""

from __future__ import annotations

from typing import Any

import pytest

from dragoman.config.routing import RoutingConfig, RuleMatch
from dragoman.ir.messages import Image, Message, Text
from dragoman.ir.request import Request
from dragoman.ir.tools import Tool
from dragoman.policy.rules import Asked, first_match, matches

CODEX = {"user-agent": "codex_exec/0.169.0 (Debian 12.0.0; x86_64)", "x-team": "a"}


def _request(model: str = "gpt-5", tools: bool = False, image: bool = False, text: str = "hi") -> Request:
    parts: list[Any] = [Text(text), *([Image(data="AAAA", media_type="image/png")] if image else [])]
    offered = [Tool(name="bash", description="", parameters={"type": "object"})] if tools else []
    return Request(model=model, messages=[Message("user", parts)], tools=offered)


@pytest.mark.parametrize(
    ("match", "holds"),
    [
        ({}, True),
        ({"client": "codex"}, True),
        ({"client": "claude-code"}, False),
        ({"key": "key2"}, True),
        ({"key": "key1"}, False),
        ({"model": "gpt-5*"}, True),
        ({"model": "GPT-?"}, True),
        ({"model": "claude-*"}, False),
        ({"dialect": "openai_responses"}, True),
        ({"dialect": "anthropic"}, False),
        ({"header": {"X-Team": "a"}}, True),
        ({"header": {"x-team": "b"}}, False),
        ({"header": {"x-missing": "a"}}, False),
        ({"min_tokens": 1}, True),
        ({"min_tokens": 10_000}, False),
        ({"tools": False}, True),
        ({"tools": True}, False),
        ({"images": False}, True),
        ({"images": True}, False),
        ({"client": "codex", "model": "gpt-5", "tools": True}, False),  # all must hold
    ],
)
def test_each_field(match: dict[str, Any], holds: bool) -> None:
    asked = Asked("openai_responses", CODEX, lambda: "key2")
    assert matches(RuleMatch.model_validate(match), _request(), asked) is holds


def test_tools_and_images_when_present() -> None:
    asked = Asked("anthropic")
    rule = RuleMatch(tools=True, images=True)
    assert matches(rule, _request(tools=True, image=True), asked)
    assert not matches(rule, _request(tools=True), asked)


def test_no_user_agent_is_the_other_family_and_no_key_is_a_dash() -> None:
    asked = Asked("anthropic")
    assert matches(RuleMatch(client="other"), _request(), asked)
    assert matches(RuleMatch(key="-"), _request(), asked)


def test_the_first_matching_rule_wins_and_tokens_are_estimated_once() -> None:
    rules = RoutingConfig.model_validate(
        {
            "rules": [
                {"name": "long", "match": {"min_tokens": 5000}, "deny": "too long"},
                {"name": "any-gpt", "match": {"model": "gpt-*"}, "set": {"model": "a"}},
                {"name": "gpt-5", "match": {"model": "gpt-5"}, "set": {"model": "b"}},
            ]
        }
    ).rules
    asked = Asked("openai_chat")
    found = first_match(rules, _request(text="x" * 100), asked)
    assert found is not None and found.name == "any-gpt"
    assert asked.tokens(_request(text="y" * 100_000)) == asked.tokens(_request())  # kept from the first
    assert first_match(rules, _request(model="claude"), Asked("openai_chat")) is None

"""Each Messages API rule the Anthropic fake enforces rejects a bad request with the API's envelope."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fakes import AnthropicFake
from tests.test_fakes.raw import post

MODEL = "claude-sonnet-4-6"
BASE = {"model": MODEL, "max_tokens": 2048, "messages": [{"role": "user", "content": "hi"}]}
USE = {"type": "tool_use", "id": "toolu_1", "name": "f", "input": {}}
RESULT = {"type": "tool_result", "tool_use_id": "toolu_1", "content": "r"}
TOOL = {"name": "f", "input_schema": {"type": "object", "properties": {}}}
THINK = {"type": "enabled", "budget_tokens": 1024}


def conversation(*messages: tuple[str, Any]) -> dict[str, Any]:
    return {**BASE, "messages": [{"role": role, "content": content} for role, content in messages]}


REJECTED = [
    ({"max_tokens": 5, "messages": BASE["messages"]}, "model: Field required"),
    ({"model": MODEL, "messages": BASE["messages"]}, "max_tokens: Field required"),
    ({"model": MODEL, "max_tokens": 5}, "messages: Field required"),
    ({**BASE, "max_tokens": 0}, "max_tokens: Input should be greater than or equal to 1"),
    ({**BASE, "reasoning_effort": "high"}, "reasoning_effort: Extra inputs are not permitted"),
    ({**BASE, "speed": "fast"}, "speed: Extra inputs are not permitted"),
    (conversation(("assistant", "hi")), 'first message must use the "user" role'),
    (
        conversation(("system", "be nice"), ("user", "hi")),
        "messages.0.role: Input should be 'user' or 'assistant'",
    ),
    (conversation(("user", [])), "messages.0: all messages must have non-empty content"),
    (conversation(("user", [{"type": "text", "text": ""}])), "text content blocks must be non-empty"),
    (conversation(("user", [{"type": "text", "text": "  "}])), "must contain non-whitespace text"),
    (
        conversation(("user", [{"type": "input_text", "text": "x"}])),
        "Input tag 'input_text' found using 'type'",
    ),
    (
        conversation(("user", "hi"), ("assistant", [USE]), ("user", "go on")),
        "messages.2: `tool_use` ids were found without `tool_result` blocks immediately after: toolu_1",
    ),
    (
        conversation(("user", "hi"), ("assistant", "ok"), ("user", [RESULT])),
        "messages.2.content.0: unexpected `tool_use_id` found in `tool_result` blocks: toolu_1",
    ),
    (
        conversation(("user", "hi"), ("assistant", [USE]), ("user", [{"type": "text", "text": "x"}, RESULT])),
        "messages.2.content.1: tool_result blocks must come first",
    ),
    (
        conversation(("user", "hi"), ("assistant", [{**USE, "id": "call.1"}])),
        "messages.1.content.0.id: String should match pattern '^[a-zA-Z0-9_-]+$'",
    ),
    (
        conversation(("user", "hi"), ("assistant", [{**USE, "input": "{}"}])),
        "messages.1.content.0.input: Input should be a valid dictionary",
    ),
    (
        conversation(
            ("user", "hi"), ("assistant", [{"type": "thinking", "thinking": "x", "signature": "abc"}])
        ),
        "messages.1.content.0: Invalid `signature` in `thinking` block",
    ),
    (
        {**BASE, "tools": [{"name": "f", "parameters": {}}]},
        "tools.0.custom.parameters: Extra inputs are not permitted",
    ),
    ({**BASE, "tools": [{"name": "f"}]}, "tools.0.custom.input_schema: Field required"),
    (
        {**BASE, "tools": [{**TOOL, "input_schema": {"type": "string"}}]},
        "tools.0.custom.input_schema.type: Input should be 'object'",
    ),
    ({**BASE, "tools": [{**TOOL, "name": "a.b"}]}, "tools.0.custom.name: String should match pattern"),
    ({**BASE, "tools": [TOOL, TOOL]}, "tools: Tool names must be unique."),
    ({**BASE, "tool_choice": {"type": "required"}}, "tool_choice: Input tag 'required'"),
    ({**BASE, "thinking": {"type": "enabled", "budget_tokens": 512}}, "greater than or equal to 1024"),
    (
        {**BASE, "max_tokens": 1024, "thinking": THINK},
        "`max_tokens` must be greater than `thinking.budget_tokens`",
    ),
    (
        {**BASE, "thinking": THINK, "temperature": 0.5},
        "`temperature` may only be set to 1 when thinking is enabled",
    ),
    ({**BASE, "thinking": THINK, "top_k": 5}, "`top_k` must be unset when thinking is enabled"),
    ({**BASE, "temperature": 1.5}, "temperature: Input should be less than or equal to 1"),
    ({**BASE, "metadata": {"session": "x"}}, "metadata.session: Extra inputs are not permitted"),
    (
        {**conversation(("user", "hi"), ("assistant", [USE]), ("user", [RESULT])), "thinking": THINK},
        "Expected `thinking` or `redacted_thinking`, but found `tool_use`",
    ),
]


@pytest.mark.parametrize(("body", "message"), REJECTED)
def test_rejects(fake_anthropic: AnthropicFake, body: dict[str, Any], message: str) -> None:
    response = post(fake_anthropic, "/v1/messages", body)
    assert response.status_code == 400, response.text
    error = response.json()
    assert error["type"] == "error"
    assert error["error"]["type"] == "invalid_request_error"
    assert message in error["error"]["message"]


ACCEPTED = [
    # Consecutive same-role messages merge into one turn, so results then text in two messages is fine.
    conversation(("user", "hi"), ("assistant", [USE]), ("user", [RESULT]), ("user", "and then?")),
    # A final assistant message may be empty (prefill).
    conversation(("user", "hi"), ("assistant", "")),
    {**BASE, "thinking": THINK, "temperature": 1},
    {
        **BASE,
        "max_tokens": 1024,
        "thinking": THINK,
        "tools": [TOOL, {"type": "web_search_20250305", "name": "web_search"}],
    },
    {**BASE, "system": [{"type": "text", "text": "be brief", "cache_control": {"type": "ephemeral"}}]},
    {
        **BASE,
        "context_management": {"edits": []},
        "output_config": {"effort": "low"},
        "metadata": {"user_id": "u"},
    },
]


@pytest.mark.parametrize("body", ACCEPTED)
def test_accepts(fake_anthropic: AnthropicFake, body: dict[str, Any]) -> None:
    headers = {"anthropic-beta": "interleaved-thinking-2025-05-14"} if body["max_tokens"] == 1024 else {}
    response = post(fake_anthropic, "/v1/messages", body, headers)
    assert response.status_code == 200, response.text


def test_system_role_needs_a_beta_header(fake_anthropic: AnthropicFake) -> None:
    body = conversation(("user", "hi"), ("system", "mind the time"), ("user", "go"))
    assert post(fake_anthropic, "/v1/messages", body).status_code == 400
    beta = {"anthropic-beta": "mid-conversation-system-2026-04-07"}
    assert post(fake_anthropic, "/v1/messages", body, beta).status_code == 200


def test_fast_mode_field_needs_its_beta(fake_anthropic: AnthropicFake) -> None:
    beta = {"anthropic-beta": "fast-mode-2026-02-01"}
    assert post(fake_anthropic, "/v1/messages", {**BASE, "speed": "fast"}, beta).status_code == 200


def test_thinking_replay_rule_can_be_relaxed_until_reset(fake_anthropic: AnthropicFake) -> None:
    body = {**conversation(("user", "hi"), ("assistant", [USE]), ("user", [RESULT])), "thinking": THINK}
    fake_anthropic.require_thinking_replay = False
    assert post(fake_anthropic, "/v1/messages", body).status_code == 200
    fake_anthropic.reset()
    assert post(fake_anthropic, "/v1/messages", body).status_code == 400


def test_trusted_signature_is_accepted(fake_anthropic: AnthropicFake) -> None:
    fake_anthropic.trust("c2lnbmVk")
    thinking = {"type": "thinking", "thinking": "x", "signature": "c2lnbmVk"}
    body = {
        **conversation(("user", "hi"), ("assistant", [thinking, USE]), ("user", [RESULT])),
        "thinking": THINK,
    }
    assert post(fake_anthropic, "/v1/messages", body).status_code == 200

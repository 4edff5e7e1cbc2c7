"""The Claude Code preamble: first in the system prompt, the client's own text kept after
it, and a Claude Code client's system prompt left exactly as sent."""

from __future__ import annotations

from typing import Any

from dragoman.ir.messages import Message, Text
from dragoman.ir.request import Reasoning, Request
from dragoman.providers.claude.quirks import PREAMBLE, fix_request, with_preamble
from tests.fakes.claude_oauth import check_claude_code_shape

AGENT_SDK = "You are a Claude agent, built on Anthropic's Claude Agent SDK."
BILLING = "x-anthropic-billing-header: cc_version=2.1.329.25f; cc_entrypoint=sdk-cli;"


def request(model: str = "claude-sonnet-4-5", **fields: Any) -> Request:
    return Request(model=model, messages=[Message(role="user", parts=[Text("hi")])], **fields)


def body(**fields: Any) -> dict[str, Any]:
    return {"model": "claude-sonnet-4-5", "max_tokens": 100, "messages": [], **fields}


def test_a_request_without_system_gets_the_preamble_alone() -> None:
    fixed = fix_request(body(), request())
    assert fixed["system"] == [{"type": "text", "text": PREAMBLE}]
    check_claude_code_shape(fixed)


def test_the_clients_system_blocks_follow_the_preamble_unchanged() -> None:
    own = [
        {"type": "text", "text": "Be brief.", "cache_control": {"type": "ephemeral"}},
        {"type": "text", "text": "B"},
    ]
    fixed = fix_request(body(system=list(own)), request())
    assert fixed["system"] == [{"type": "text", "text": PREAMBLE}, *own]


def test_a_string_system_prompt_becomes_a_block_after_the_preamble() -> None:
    assert with_preamble("Be brief.") == [
        {"type": "text", "text": PREAMBLE},
        {"type": "text", "text": "Be brief."},
    ]
    assert with_preamble("") == [{"type": "text", "text": PREAMBLE}]


def test_a_claude_code_client_is_not_given_a_second_identity() -> None:
    system = [
        {"type": "text", "text": BILLING},
        {"type": "text", "text": AGENT_SDK, "cache_control": {"type": "ephemeral"}},
        {"type": "text", "text": "You are an agent working with the user."},
    ]
    assert with_preamble(list(system)) == system
    assert with_preamble([{"type": "text", "text": PREAMBLE}]) == [{"type": "text", "text": PREAMBLE}]


def test_after_a_billing_block_without_identity_the_preamble_comes_second() -> None:
    system = [{"type": "text", "text": BILLING}, {"type": "text", "text": "Own text."}]
    fixed = with_preamble(system)
    assert [block["text"] for block in fixed] == [BILLING, PREAMBLE, "Own text."]
    check_claude_code_shape({"system": fixed})


def test_an_identity_further_down_is_not_enough() -> None:
    system = [{"type": "text", "text": "Own text."}, {"type": "text", "text": PREAMBLE}]
    assert with_preamble(system)[0] == {"type": "text", "text": PREAMBLE}


def test_the_anthropic_model_rules_still_apply() -> None:
    """claude-opus-5-5 takes adaptive thinking only, and no sampling."""
    sent = body(model="claude-opus-5-5", temperature=0.3, thinking={"type": "enabled", "budget_tokens": 4000})
    fixed = fix_request(sent, request("claude-opus-5-5", reasoning=Reasoning(enabled=True)))
    assert fixed["thinking"] == {"type": "adaptive"}
    assert "temperature" not in fixed
    assert fixed["system"][0]["text"] == PREAMBLE

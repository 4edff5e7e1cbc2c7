"""The anthropic kind through a real dragoman: x-api-key and anthropic-version, beta
flags passed on between Anthropic speakers only, and what the newer Claude models refuse,
checked at the fake upstream."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from dragoman.ir.request import Reasoning, Request
from dragoman.providers.anthropic.quirks import fix_request
from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import serve_gateway

# What Claude Code 2.1.329 sends with claude-sonnet-4-5 (clients.md).
BETAS = "claude-code-20250219,interleaved-thinking-2025-05-14,context-management-2025-06-27"
TOOL = {
    "type": "function",
    "function": {"name": "lookup", "parameters": {"type": "object", "properties": {}}},
}


def anthropic_provider(fakes: FakeUpstreams) -> dict[str, Any]:
    return {
        "anthropic": {
            "kind": "anthropic",
            "base_url": fakes.anthropic.base_url,
            "api_key": fakes.anthropic.key,
        }
    }


def messages(model: str, **fields: Any) -> dict[str, Any]:
    return {"model": model, "max_tokens": 1000, "messages": [{"role": "user", "content": "hi"}], **fields}


def chat(model: str, **fields: Any) -> dict[str, Any]:
    return {"model": model, "messages": [{"role": "user", "content": "hi"}], **fields}


def test_an_anthropic_clients_beta_flags_reach_the_api(fakes: FakeUpstreams) -> None:
    headers = {"anthropic-version": "2023-06-01", "anthropic-beta": BETAS, "x-api-key": "local-key"}
    with serve_gateway(fakes, providers=anthropic_provider(fakes)) as url:
        response = httpx.post(url + "/v1/messages", json=messages("claude-sonnet-4-5"), headers=headers)
    assert response.status_code == 200, response.text
    upstream = fakes.anthropic.last
    assert upstream.path == "/v1/messages"
    assert upstream.header("anthropic-beta") == BETAS
    assert upstream.header("x-api-key") == fakes.anthropic.key


def test_beta_flags_from_another_dialect_are_not_passed_on(fakes: FakeUpstreams) -> None:
    with serve_gateway(fakes, providers=anthropic_provider(fakes)) as url:
        response = httpx.post(
            url + "/v1/chat/completions", json=chat("claude-sonnet-4-5"), headers={"anthropic-beta": BETAS}
        )
    assert response.status_code == 200, response.text
    assert fakes.anthropic.last.header("anthropic-beta") is None


def test_the_api_gets_its_own_key_and_version_whatever_the_client_sent(fakes: FakeUpstreams) -> None:
    """The anthropic SDK sends its key as a bearer and a newer anthropic-version."""
    headers = {"anthropic-version": "2026-10-21", "authorization": "Bearer local-key"}
    with serve_gateway(fakes, providers=anthropic_provider(fakes)) as url:
        response = httpx.post(url + "/v1/messages", json=messages("claude-opus-5-5"), headers=headers)
    assert response.status_code == 200, response.text
    upstream = fakes.anthropic.last
    assert upstream.header("anthropic-version") == "2023-06-01"
    assert upstream.header("x-api-key") == fakes.anthropic.key
    assert upstream.header("authorization") is None


def test_an_adaptive_only_model_gets_adaptive_thinking_and_no_sampling(fakes: FakeUpstreams) -> None:
    body = chat("claude-sonnet-5-5", reasoning_effort="high", temperature=0.2, top_p=0.5)
    with serve_gateway(fakes, providers=anthropic_provider(fakes)) as url:
        response = httpx.post(url + "/v1/chat/completions", json=body)
    assert response.status_code == 200, response.text
    sent = fakes.anthropic.last.json
    assert sent["thinking"] == {"type": "adaptive"}
    assert sent["output_config"]["effort"] == "high"
    assert not {"temperature", "top_p", "top_k"} & set(sent)


def test_an_older_model_keeps_its_thinking_budget_and_sampling(fakes: FakeUpstreams) -> None:
    with serve_gateway(fakes, providers=anthropic_provider(fakes)) as url:
        thinking = httpx.post(
            url + "/v1/chat/completions", json=chat("claude-sonnet-4-5", reasoning_effort="high")
        )
        thinking_sent = fakes.anthropic.last.json
        sampling = httpx.post(url + "/v1/chat/completions", json=chat("claude-sonnet-4-5", temperature=0.2))
        sampling_sent = fakes.anthropic.last.json
    assert thinking.status_code == sampling.status_code == 200
    assert thinking_sent["thinking"]["type"] == "enabled"
    assert thinking_sent["thinking"]["budget_tokens"] >= 1024
    assert sampling_sent["temperature"] == 0.2


def test_forced_tool_use_is_relaxed_for_models_that_refuse_it(fakes: FakeUpstreams) -> None:
    body = chat("claude-opus-5-5", tools=[TOOL], tool_choice="required", reasoning_effort="low")
    with serve_gateway(fakes, providers=anthropic_provider(fakes)) as url:
        response = httpx.post(url + "/v1/chat/completions", json=body)
    assert response.status_code == 200, response.text
    sent = fakes.anthropic.last.json
    assert sent["tool_choice"]["type"] == "auto"
    assert [tool["name"] for tool in sent["tools"]] == ["lookup"]
    # Opus 5.5 always thinks: the dialect's "disabled" (for a forced tool) is left out.
    assert "thinking" not in sent


def test_forced_tool_use_stays_for_models_that_take_it(fakes: FakeUpstreams) -> None:
    body = chat("claude-haiku-4-5", tools=[TOOL], tool_choice="required")
    with serve_gateway(fakes, providers=anthropic_provider(fakes)) as url:
        response = httpx.post(url + "/v1/chat/completions", json=body)
    assert response.status_code == 200, response.text
    assert fakes.anthropic.last.json["tool_choice"]["type"] == "any"


@pytest.mark.parametrize(
    ("model", "thinking", "expected"),
    [
        ("claude-opus-5-5", {"type": "disabled"}, None),
        ("claude-sonnet-5-5", {"type": "disabled"}, {"type": "disabled"}),
        ("claude-opus-4-8", {"type": "enabled", "budget_tokens": 4096}, {"type": "adaptive"}),
        (
            "claude-sonnet-4-5",
            {"type": "enabled", "budget_tokens": 4096},
            {"type": "enabled", "budget_tokens": 4096},
        ),
        (
            "claude-fable-5-1",
            {"type": "enabled", "budget_tokens": 2048, "display": "omitted"},
            {"type": "adaptive", "display": "omitted"},
        ),
    ],
)
def test_thinking_per_model(model: str, thinking: dict[str, Any], expected: dict[str, Any] | None) -> None:
    body = fix_request({"model": model, "thinking": thinking}, Request(model=model))
    assert body.get("thinking") == expected


def test_a_budget_becomes_an_effort_unless_the_client_named_one() -> None:
    budget = {"type": "enabled", "budget_tokens": 1024}
    named = Request(model="m", reasoning=Reasoning(effort="xhigh", budget_tokens=1024))
    assert fix_request({"model": "claude-opus-5", "thinking": budget}, Request(model="m"))[
        "output_config"
    ] == {"effort": "low"}
    assert (
        fix_request({"model": "claude-opus-5", "thinking": budget}, named)["output_config"]["effort"]
        == "xhigh"
    )
    kept = {"model": "claude-opus-5", "thinking": budget, "output_config": {"effort": "max", "format": {}}}
    assert fix_request(kept, named)["output_config"] == {"effort": "max", "format": {}}

"""The openai kind through a real dragoman: endpoint per dialect, bearer auth, and the
sampling and effort fix-ups, checked at the fake upstream (which refuses temperature
for reasoning models the way OpenAI does)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from dragoman.ir.request import Request
from dragoman.providers.openai.quirks import EFFORTS, fix_request, nearest_effort
from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import serve_gateway

ANTHROPIC = {"anthropic-version": "2023-06-01"}


def openai_provider(fakes: FakeUpstreams, dialect: str | None = None) -> dict[str, Any]:
    fake = fakes[dialect or "openai_responses"]
    provider = {"kind": "openai", "base_url": fake.base_url, "api_key": fake.key}
    if dialect is not None:
        provider["dialect"] = dialect
    return {"openai": provider}


def chat(model: str, **fields: Any) -> dict[str, Any]:
    return {"model": model, "messages": [{"role": "user", "content": "hi"}], **fields}


def test_responses_by_default_with_a_bearer_key(fakes: FakeUpstreams) -> None:
    with serve_gateway(fakes, providers=openai_provider(fakes)) as url:
        response = httpx.post(url + "/v1/chat/completions", json=chat("gpt-6.1-sol"))
    assert response.status_code == 200, response.text
    upstream = fakes.openai_responses.last
    assert upstream.path == "/v1/responses"
    assert upstream.header("authorization") == f"Bearer {fakes.openai_responses.key}"
    assert upstream.json["model"] == "gpt-6.1-sol"
    assert fakes.openai_chat.requests == []


def test_chat_dialect_hits_chat_completions(fakes: FakeUpstreams) -> None:
    providers = openai_provider(fakes, "openai_chat")
    with serve_gateway(fakes, providers=providers) as url:
        response = httpx.post(url + "/v1/responses", json={"model": "gpt-4.1", "input": "hi"})
    assert response.status_code == 200, response.text
    upstream = fakes.openai_chat.last
    assert upstream.path == "/v1/chat/completions"
    assert upstream.header("authorization") == f"Bearer {fakes.openai_chat.key}"
    assert fakes.openai_responses.requests == []


@pytest.mark.parametrize("dialect", ["openai_responses", "openai_chat"])
def test_a_reasoning_model_gets_no_sampling(fakes: FakeUpstreams, dialect: str) -> None:
    body = chat("gpt-5", temperature=0.2, top_p=0.5, max_tokens=300)
    with serve_gateway(fakes, providers=openai_provider(fakes, dialect)) as url:
        response = httpx.post(url + "/v1/chat/completions", json=body)
    assert response.status_code == 200, response.text
    sent = fakes[dialect].last.json
    assert "temperature" not in sent and "top_p" not in sent
    assert "max_tokens" not in sent  # the Chat dialect sends max_completion_tokens


@pytest.mark.parametrize("dialect", ["openai_responses", "openai_chat"])
def test_a_model_that_does_not_reason_keeps_its_sampling(fakes: FakeUpstreams, dialect: str) -> None:
    with serve_gateway(fakes, providers=openai_provider(fakes, dialect)) as url:
        response = httpx.post(url + "/v1/chat/completions", json=chat("gpt-4.1", temperature=0.2, top_p=0.5))
    assert response.status_code == 200, response.text
    sent = fakes[dialect].last.json
    assert (sent["temperature"], sent["top_p"]) == (0.2, 0.5)


def test_an_effort_the_model_refuses_becomes_the_nearest_it_takes(fakes: FakeUpstreams) -> None:
    """Claude Code on Opus asks `max`; gpt-5.5 tops out at `xhigh`."""
    body = {
        "model": "gpt-5.5",
        "max_tokens": 2000,
        "messages": [{"role": "user", "content": "hi"}],
        "thinking": {"type": "adaptive"},
        "output_config": {"effort": "max"},
    }
    with serve_gateway(fakes, providers=openai_provider(fakes)) as url:
        response = httpx.post(url + "/v1/messages", json=body, headers=ANTHROPIC)
    assert response.status_code == 200, response.text
    assert fakes.openai_responses.last.json["reasoning"]["effort"] == "xhigh"


def test_gpt_6_1_sol_has_no_minimal_effort(fakes: FakeUpstreams) -> None:
    with serve_gateway(fakes, providers=openai_provider(fakes, "openai_chat")) as url:
        response = httpx.post(
            url + "/v1/chat/completions", json=chat("gpt-6.1-sol", reasoning_effort="minimal")
        )
    assert response.status_code == 200, response.text
    assert fakes.openai_chat.last.json["reasoning_effort"] == "low"


@pytest.mark.parametrize(
    ("effort", "accepted", "expected"),
    [
        ("high", {"low", "high"}, "high"),
        ("minimal", {"low", "medium", "high"}, "low"),
        ("none", {"low", "medium"}, "low"),
        ("max", {"low", "medium", "high", "xhigh"}, "xhigh"),
        ("medium", {"low", "high"}, "high"),  # a tie goes to the higher level
        ("turbo", {"low"}, "turbo"),  # unknown levels are the upstream's to judge
    ],
)
def test_nearest_effort(effort: str, accepted: set[str], expected: str) -> None:
    assert nearest_effort(effort, frozenset(accepted)) == expected


def test_families_match_whole_id_segments() -> None:
    """gpt-5's effort set is not applied to gpt-5.5, which takes `none`."""
    body = fix_request({"model": "gpt-5.5", "reasoning_effort": "none"}, Request(model="gpt-5.5"))
    assert body["reasoning_effort"] == "none"
    body = fix_request({"model": "gpt-5-mini", "reasoning_effort": "none"}, Request(model="gpt-5-mini"))
    assert body["reasoning_effort"] in EFFORTS["gpt-5"]


def test_an_unknown_model_is_left_alone() -> None:
    body = {"model": "ft:my-model", "temperature": 0.1, "reasoning": {"effort": "max"}}
    assert fix_request({**body}, Request(model="ft:my-model")) == body


def test_a_shared_reasoning_object_is_replaced_not_edited() -> None:
    reasoning = {"effort": "max", "summary": "auto"}
    body = fix_request({"model": "gpt-5.5", "reasoning": reasoning}, Request(model="gpt-5.5"))
    assert body["reasoning"] == {"effort": "xhigh", "summary": "auto"}
    assert reasoning["effort"] == "max"

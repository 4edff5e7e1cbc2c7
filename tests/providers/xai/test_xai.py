"""The xai kind through a real dragoman: Grok's Responses endpoint with a bearer key, and
a body stripped of what xAI refuses, checked at a fake that refuses it."""

from __future__ import annotations

import httpx
import pytest

from dragoman.ir.request import Request
from dragoman.providers.xai.quirks import fix_request
from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import serve_gateway
from tests.providers.xai.fake import XAIFake, xai_provider

# What a Responses client such as Codex may send that xAI refuses.
REFUSED = {
    "stop": ["END"],
    "prompt_cache_retention": "24h",
    "safety_identifier": "user-1",
    "stream_options": {"include_obfuscation": False},
    "service_tier": "priority",
}


def test_responses_with_a_bearer_key(fakes: FakeUpstreams, xai: XAIFake) -> None:
    with serve_gateway(fakes, providers=xai_provider(xai)) as url:
        response = httpx.post(
            url + "/v1/chat/completions",
            json={"model": "grok-4.5", "messages": [{"role": "user", "content": "hi"}]},
        )
    assert response.status_code == 200, response.text
    assert xai.last.path == "/v1/responses"
    assert xai.last.header("authorization") == f"Bearer {xai.key}"


@pytest.mark.parametrize("stream", [False, True])
def test_fields_xai_refuses_are_stripped(fakes: FakeUpstreams, xai: XAIFake, stream: bool) -> None:
    body = {"model": "grok-4.5", "input": "hi", "stream": stream, "prompt_cache_key": "conv-1", **REFUSED}
    with serve_gateway(fakes, providers=xai_provider(xai)) as url:
        response = httpx.post(url + "/v1/responses", json=body)
    assert response.status_code == 200, response.text
    sent = xai.last.json
    assert not set(REFUSED) & set(sent)
    assert sent["prompt_cache_key"] == "conv-1"  # what xAI takes still goes through


@pytest.mark.parametrize(
    ("model", "effort", "expected"),
    [
        ("grok-4.5", "xhigh", "high"),
        ("grok-4.5", "none", "low"),  # grok-4.5 cannot stop reasoning
        ("grok-4.3", "none", "none"),
        ("grok-4.20-reasoning", "high", None),  # no effort control at all
    ],
)
def test_reasoning_effort_per_model(
    fakes: FakeUpstreams, xai: XAIFake, model: str, effort: str, expected: str | None
) -> None:
    body = {"model": model, "input": "hi", "reasoning": {"effort": effort, "summary": "auto"}}
    with serve_gateway(fakes, providers=xai_provider(xai)) as url:
        response = httpx.post(url + "/v1/responses", json=body)
    assert response.status_code == 200, response.text
    reasoning = xai.last.json["reasoning"]
    assert reasoning.get("effort") == expected
    assert reasoning["summary"] == "auto"


def test_tool_settings_without_tools_are_dropped() -> None:
    body = {"model": "grok-4.5", "input": [], "tool_choice": "auto", "parallel_tool_calls": True}
    with_tools = {**body, "tools": [{"type": "function", "name": "f", "parameters": {}}]}
    fixed = fix_request(body, Request(model="grok-4.5"))
    assert "tool_choice" not in fixed and "parallel_tool_calls" not in fixed
    assert fix_request(with_tools, Request(model="grok-4.5"))["tool_choice"] == "auto"


def test_an_effort_alone_leaves_no_empty_reasoning() -> None:
    fixed = fix_request({"model": "grok-4.20-reasoning", "reasoning": {"effort": "low"}}, Request(model="m"))
    assert "reasoning" not in fixed


def test_previous_response_id_is_refused_not_dropped(fakes: FakeUpstreams, xai: XAIFake) -> None:
    body = {"model": "grok-4.5", "input": "and then?", "previous_response_id": "resp_earlier"}
    with serve_gateway(fakes, providers=xai_provider(xai)) as url:
        response = httpx.post(url + "/v1/responses", json=body)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "previous_response_not_found" and error["param"] == "previous_response_id"
    assert [r.path for r in xai.requests if r.method == "POST"] == [], "refused before anything was sent"

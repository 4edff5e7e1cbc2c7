"""The gemini kind through a real dragoman: the public API's paths and x-goog-api-key,
and thinking and penalties as each model takes them, checked at the fake upstream."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from dragoman.ir.request import Request
from dragoman.ir.tools import Tool
from dragoman.providers.gemini.quirks import fix_request, nearest_level
from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import serve_gateway


def gemini_provider(fakes: FakeUpstreams) -> dict[str, Any]:
    return {"gemini": {"kind": "gemini", "base_url": fakes.gemini.base_url, "api_key": fakes.gemini.key}}


def chat(model: str, **fields: Any) -> dict[str, Any]:
    return {"model": model, "messages": [{"role": "user", "content": "hi"}], **fields}


def sent_config(fakes: FakeUpstreams) -> dict[str, Any]:
    config: dict[str, Any] = fakes.gemini.last.json.get("generationConfig", {})
    return config


@pytest.mark.parametrize(("stream", "method"), [(False, "generateContent"), (True, "streamGenerateContent")])
def test_the_key_goes_in_x_goog_api_key(fakes: FakeUpstreams, stream: bool, method: str) -> None:
    with serve_gateway(fakes, providers=gemini_provider(fakes)) as url:
        response = httpx.post(url + "/v1/chat/completions", json=chat("gemini-3.8-flash", stream=stream))
    assert response.status_code == 200, response.text
    upstream = fakes.gemini.last
    assert upstream.path == f"/v1beta/models/gemini-3.8-flash:{method}"
    assert upstream.header("x-goog-api-key") == fakes.gemini.key
    assert upstream.header("authorization") is None
    assert "key" not in upstream.query  # never in the URL, where logs would keep it


def test_a_level_the_model_refuses_becomes_the_nearest_it_takes(fakes: FakeUpstreams) -> None:
    with serve_gateway(fakes, providers=gemini_provider(fakes)) as url:
        refused = httpx.post(
            url + "/v1/chat/completions", json=chat("gemini-3.8-flash", reasoning_effort="minimal")
        )
        refused_config = sent_config(fakes)
        taken = httpx.post(
            url + "/v1/chat/completions", json=chat("gemini-3.5-flash-lite", reasoning_effort="minimal")
        )
        taken_config = sent_config(fakes)
    assert refused.status_code == taken.status_code == 200
    assert refused_config["thinkingConfig"]["thinkingLevel"] == "LOW"
    assert taken_config["thinkingConfig"]["thinkingLevel"] == "MINIMAL"


def test_2_5_pro_cannot_stop_thinking(fakes: FakeUpstreams) -> None:
    """An Anthropic client switching thinking off asks budget 0, which 2.5 Pro refuses."""
    body = {
        "model": "gemini-2.5-pro",
        "max_tokens": 500,
        "messages": [{"role": "user", "content": "hi"}],
        "thinking": {"type": "disabled"},
    }
    with serve_gateway(fakes, providers=gemini_provider(fakes)) as url:
        response = httpx.post(url + "/v1/messages", json=body, headers={"anthropic-version": "2023-06-01"})
    assert response.status_code == 200, response.text
    assert sent_config(fakes)["thinkingConfig"]["thinkingBudget"] == 128


def test_penalties_are_dropped_only_where_refused(fakes: FakeUpstreams) -> None:
    with serve_gateway(fakes, providers=gemini_provider(fakes)) as url:
        lite = httpx.post(
            url + "/v1/chat/completions", json=chat("gemini-3.5-flash-lite", presence_penalty=0.5)
        )
        lite_config = sent_config(fakes)
        flash = httpx.post(url + "/v1/chat/completions", json=chat("gemini-2.5-flash", presence_penalty=0.5))
        flash_config = sent_config(fakes)
    assert lite.status_code == flash.status_code == 200
    assert "presencePenalty" not in lite_config
    assert flash_config["presencePenalty"] == 0.5


def test_a_provider_prefix_is_seen_through() -> None:
    config = {"thinkingConfig": {"thinkingLevel": "MINIMAL"}}
    body = fix_request({"generationConfig": config}, Request(model="work/gemini-3.1-pro-preview"))
    assert body["generationConfig"]["thinkingConfig"]["thinkingLevel"] == "LOW"
    assert config["thinkingConfig"]["thinkingLevel"] == "MINIMAL", "the shared object is not edited"


@pytest.mark.parametrize(
    ("model", "budget", "expected"),
    [
        ("gemini-2.5-flash", 31_999, 24_576),
        ("gemini-2.5-flash", 0, 0),
        ("gemini-2.5-flash-lite", -1, -1),
        ("gemini-2.5-pro", 64, 128),
        ("gemini-3.8-flash", 31_999, 31_999),  # no known range: left to the API
    ],
)
def test_budgets_within_each_models_range(model: str, budget: int, expected: int) -> None:
    body = {"generationConfig": {"thinkingConfig": {"thinkingBudget": budget}}}
    fixed = fix_request(body, Request(model=model))
    assert fixed["generationConfig"]["thinkingConfig"]["thinkingBudget"] == expected


def test_gemini_3_pro_has_only_low_and_high() -> None:
    accepted = frozenset({"LOW", "HIGH"})
    assert [nearest_level(level, accepted) for level in ("MINIMAL", "MEDIUM", "HIGH")] == [
        "LOW",
        "HIGH",
        "HIGH",
    ]


@pytest.mark.parametrize(("model", "drawn"), [("gemini-2.5-flash-image", True), ("gemini-2.5-flash", False)])
def test_only_an_image_model_offered_the_image_tool_is_asked_to_draw(model: str, drawn: bool) -> None:
    tool = Tool(
        name="image_generation", type="native", raw={"type": "image_generation"}, dialect="openai_responses"
    )
    fixed = fix_request({"contents": []}, Request(model=model, tools=[tool]))
    modalities = (fixed.get("generationConfig") or {}).get("responseModalities")
    assert modalities == (["TEXT", "IMAGE"] if drawn else None)
    assert "generationConfig" not in fix_request({"contents": []}, Request(model=model))

"""`GET /metrics` end to end: a real gateway in front of fake upstreams, scraped as
Prometheus would (the local key as a bearer token), its text parsed by prometheus-client."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.fakes import Failure, Reply
from tests.fakes.fixtures import FakeUpstreams
from tests.fakes.script import Usage
from tests.gateway import MODEL_OF, serve_gateway
from tests.server.test_pooling import ANTHROPIC, pool, unified_429

KEY = "sk-local-metrics-0123456789"
BEARER = {"authorization": f"Bearer {KEY}"}
# `class` is a Python word: the label set is spelt as a dict.
RATE_LIMITED = {"provider": "acct-a", "class": "rate_limited"}
CHAT = {"model": MODEL_OF["anthropic"], "messages": [{"role": "user", "content": "hi"}]}

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


@pytest.fixture
def gateway(fakes: FakeUpstreams) -> Iterator[str]:
    with serve_gateway(fakes, api_keys=[KEY]) as url:
        yield url


def scrape(url: str, headers: dict[str, str] | None = None) -> Samples:
    response = httpx.get(url + "/metrics", headers=BEARER if headers is None else headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def settled(url: str, name: str, expected: float, **labels: str) -> Samples:
    """The scrape once the last request's line is written (just after its last byte)."""
    deadline = time.monotonic() + 3
    while True:
        samples = scrape(url)
        if value(samples, name, **labels) == expected or time.monotonic() > deadline:
            return samples
        time.sleep(0.01)


def chat(url: str, **extra: Any) -> httpx.Response:
    return httpx.post(url + "/v1/chat/completions", json={**CHAT, **extra}, headers=BEARER, timeout=10)


def test_metrics_need_the_local_key(gateway: str) -> None:
    refused = httpx.get(gateway + "/metrics")
    assert refused.status_code == 401
    assert "missing API key" in refused.json()["error"]["message"]
    assert httpx.get(gateway + "/metrics", headers={"authorization": "Bearer nope"}).status_code == 401
    assert httpx.get(gateway + "/metrics", headers={"x-api-key": KEY}).status_code == 200
    assert value(scrape(gateway), "dragoman_requests_in_flight") == 1  # the scrape itself


def test_requests_latency_and_tokens_carry_their_labels(gateway: str, fakes: FakeUpstreams) -> None:
    usage = Usage(input=100, output=40, cached=30, cache_write=20)
    fakes.anthropic.script(Reply(text="one", usage=usage), Reply(text="two", usage=usage))
    assert chat(gateway).status_code == 200
    streamed = {**CHAT, "stream": True}
    with httpx.stream("POST", gateway + "/v1/chat/completions", json=streamed, headers=BEARER) as s:
        assert s.status_code == 200
        s.read()
    series = {"dialect": "openai_chat", "provider": "up_anthropic"}
    routed = {**series, "model": MODEL_OF["anthropic"], "status": "200"}
    samples = settled(gateway, "dragoman_requests_total", 2, **routed)
    assert value(samples, "dragoman_requests_total", **routed) == 2
    assert value(samples, "dragoman_request_duration_seconds_count", **series) == 2
    assert value(samples, "dragoman_request_duration_seconds_sum", **series) > 0
    assert value(samples, "dragoman_time_to_first_byte_seconds_count", **series) == 1  # the stream only
    # The fake counts input OpenAI's way (cache included) and sends it Anthropic's way.
    tokens = {"provider": "up_anthropic", "model": MODEL_OF["anthropic"]}
    expected = {"input": 50, "cache_read": 30, "cache_write": 20, "output": 40, "reasoning": 0}
    assert {kind: value(samples, "dragoman_tokens_total", kind=kind, **tokens) for kind in expected} == {
        kind: 2 * count for kind, count in expected.items()
    }


def test_reasoning_is_counted_apart_from_the_visible_output(gateway: str, fakes: FakeUpstreams) -> None:
    usage = Usage(input=100, output=40, cached=30, reasoning=15)
    fakes.openai_responses.script(Reply(text="OK", usage=usage))
    assert chat(gateway, model=MODEL_OF["openai_responses"]).status_code == 200
    tokens = {"provider": "up_openai_responses", "model": MODEL_OF["openai_responses"]}
    samples = settled(gateway, "dragoman_tokens_total", 15, kind="reasoning", **tokens)
    expected = {"input": 70, "cache_read": 30, "cache_write": 0, "output": 25, "reasoning": 15}
    counted = {kind: value(samples, "dragoman_tokens_total", kind=kind, **tokens) for kind in expected}
    assert counted == expected


def test_an_unknown_model_is_no_label_value(gateway: str) -> None:
    assert chat(gateway, model="made-up-model-name").status_code == 404
    unrouted = {"dialect": "openai_chat", "provider": "-", "model": "-", "status": "404"}
    samples = settled(gateway, "dragoman_requests_total", 1, **unrouted)
    assert value(samples, "dragoman_requests_total", **unrouted) == 1
    assert not any("made-up" in str(labels) for _, labels in samples)


def test_a_429_counts_as_an_error_of_its_class_and_an_active_cooldown(fakes: FakeUpstreams) -> None:
    fakes.anthropic.script(unified_429(time.time() + 3600), Reply(text="OK"))
    providers = pool(fakes.anthropic, ["acct-a", "acct-b"], ["claude-opus-4-5"])
    with serve_gateway(fakes, providers=providers, api_keys=[KEY]) as url:
        body = {"model": "claude-opus-4-5", "max_tokens": 10, "messages": [{"role": "user", "content": "hi"}]}
        answer = httpx.post(url + "/v1/messages", json=body, headers={**ANTHROPIC, **BEARER}, timeout=10)
        assert answer.status_code == 200  # acct-a answers 429, acct-b takes the request
        samples = settled(url, "dragoman_upstream_errors_total", 1, **RATE_LIMITED)
    assert value(samples, "dragoman_upstream_errors_total", **RATE_LIMITED) == 1
    assert value(samples, "dragoman_cooldowns_active", provider="acct-a", kind="quota") == 1
    assert value(samples, "dragoman_cooldowns_active", provider="acct-b", kind="quota") == 0
    assert value(samples, "dragoman_account_in_flight", provider="acct-b") == 0
    assert ("dragoman_cooldowns_active", (("kind", "transient"), ("provider", "acct-b"))) in samples
    answered = {"dialect": "anthropic", "provider": "acct-b", "model": "claude-opus-4-5", "status": "200"}
    assert value(samples, "dragoman_requests_total", **answered) == 1


def test_a_server_error_is_classed_and_cools_for_a_while(gateway: str, fakes: FakeUpstreams) -> None:
    fakes.anthropic.script(Reply(error=Failure(500, "boom")))
    assert chat(gateway).status_code >= 500
    failed = {"provider": "up_anthropic", "class": "server_error"}
    samples = settled(gateway, "dragoman_upstream_errors_total", 1, **failed)
    assert value(samples, "dragoman_upstream_errors_total", **failed) == 1
    assert value(samples, "dragoman_cooldowns_active", provider="up_anthropic", kind="transient") == 1

"""Traces end to end: a real dragoman in front of fake upstreams; each request's trace
read back through `/v1/traces`, as the CLI and dashboard read it."""

from __future__ import annotations

import time
from typing import Any

import httpx

from tests.fakes import Failure, Reply
from tests.fakes.fixtures import FakeUpstreams
from tests.fakes.script import Usage
from tests.gateway import serve_gateway
from tests.server.test_pooling import ANTHROPIC, OPUS, pool

CLAUDE_CODE = {**ANTHROPIC, "user-agent": "claude-cli/2.1.329 (external, sdk-cli)"}


def claude_code(url: str, model: str = OPUS) -> httpx.Response:
    body = {"model": model, "max_tokens": 10, "messages": [{"role": "user", "content": "hi"}]}
    return httpx.post(url + "/v1/messages", json=body, headers=CLAUDE_CODE, timeout=10)


def traces(url: str, **params: Any) -> dict[str, Any]:
    answer = httpx.get(url + "/v1/traces", params=params, timeout=10)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_a_failover_is_traced_with_each_attempt_and_the_usage(fakes: FakeUpstreams) -> None:
    fakes.anthropic.script(
        Reply(error=Failure(529, "overloaded")),
        Reply(text="hello", usage=Usage(input=120, output=7, cached=100)),
    )
    with serve_gateway(fakes, providers=pool(fakes.anthropic, ["first", "second"], [OPUS])) as url:
        answer = claude_code(url)
        assert answer.status_code == 200
        [trace] = traces(url)["traces"]
    assert trace["id"] == answer.headers["x-request-id"]
    assert (trace["client"], trace["dialect"], trace["route"]) == ("claude-code", "anthropic", "POST /v1/messages")
    assert (trace["model"], trace["account"], trace["provider"]) == (OPUS, "second", "openai_compatible")
    assert trace["reason"].startswith("failover from first")
    first, second = trace["attempts"]
    assert (first["account"], first["status"], first["fail_over"]) == ("first", 529, True)
    assert first["error"] and first["cooldown"]
    assert (second["account"], second["status"], second["error"]) == ("second", 200, None)
    assert second["url"].startswith(fakes.anthropic.base_url)
    assert trace["usage"] == {
        "input_uncached": 20, "cache_read": 100, "cache_write": 0, "output": 7, "reasoning": 0,
        "input": 120, "total": 127,
    }  # fmt: skip
    assert 0 < trace["ttfb_ms"] <= trace["duration_ms"]
    assert trace["status"] == 200 and trace["bytes_in"] > 0 and trace["bytes_out"] > 0
    assert trace["cost"] is None


def test_a_stream_is_traced_with_how_it_ended(fakes: FakeUpstreams) -> None:
    fakes.openai_chat.script(Reply(text="streamed", usage=Usage(input=30, output=4), chunk_delay=0.05))
    with serve_gateway(fakes) as url:
        body = {"model": "gpt-4.1", "stream": True, "stream_options": {"include_usage": True},
                "messages": [{"role": "user", "content": "hi"}]}  # fmt: skip
        answer = httpx.post(url + "/v1/chat/completions", json=body, timeout=10)
        assert answer.status_code == 200
        [trace] = traces(url)["traces"]
    assert trace["stream"] is True and trace["ended"] == "ok"
    assert trace["client"] == "httpx"
    assert trace["usage"]["input"] == 30 and trace["usage"]["output"] == 4
    # The first byte came before the delays between the chunks were over.
    assert trace["ttfb_ms"] < trace["duration_ms"] - 50

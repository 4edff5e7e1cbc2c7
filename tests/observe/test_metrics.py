"""What one request's record adds to the metrics, and what recording it costs."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from dragoman.ir.usage import Usage
from dragoman.observe.metrics import FLUSH_SECONDS, Metrics
from dragoman.server.exchange import Exchange
from tests.observe.traces.timings import failed_over, started


def routed(status: int = 200, **fields: object) -> Exchange:
    exchange = Exchange("id", "POST", "/v1/messages", dialect="anthropic", model="sonnet")
    exchange.chose("acct-a", "claude-sonnet-4-6", "strategy=fill-first")
    exchange.status = status
    if (ttfb := fields.pop("ttfb", None)) is not None:
        exchange.first_byte = exchange.started + float(ttfb)  # type: ignore[arg-type]
    for name, value in fields.items():
        setattr(exchange, name, value)
    return exchange


def sample(metrics: Metrics, name: str, **labels: str) -> float | None:
    """A value as a scrape sees it (which writes what this process added up)."""
    metrics.flush()
    return metrics.registry.get_sample_value(name, labels)


def served(metrics: Metrics, exchange: Exchange) -> None:
    """The request through the middleware: arrived, then recorded."""
    metrics.arrived()
    metrics.record(exchange)


def test_a_routed_stream_counts_its_request_latency_ttfb_and_tokens() -> None:
    metrics = Metrics()
    usage = Usage(input_tokens=1200, output_tokens=300, cache_read_tokens=1000, reasoning_tokens=100)
    served(metrics, routed(stream=True, ttfb=0.3, usage=usage))
    served(metrics, routed())
    series = {"dialect": "anthropic", "provider": "acct-a"}
    request = {**series, "model": "claude-sonnet-4-6", "status": "200"}
    assert sample(metrics, "dragoman_requests_total", **request) == 2
    assert sample(metrics, "dragoman_request_duration_seconds_count", **series) == 2
    assert sample(metrics, "dragoman_time_to_first_byte_seconds_count", **series) == 1
    assert sample(metrics, "dragoman_time_to_first_byte_seconds_bucket", le="0.5", **series) == 1
    assert sample(metrics, "dragoman_time_to_first_byte_seconds_bucket", le="0.25", **series) == 0
    tokens = {"provider": "acct-a", "model": "claude-sonnet-4-6"}
    counted = {
        kind: sample(metrics, "dragoman_tokens_total", kind=kind, **tokens)
        for kind in ("input", "cache_read", "cache_write", "output", "reasoning")
    }
    assert counted == {"input": 200, "cache_read": 1000, "cache_write": 0, "output": 200, "reasoning": 100}


def test_a_request_the_pool_did_not_route_names_no_model() -> None:
    metrics = Metrics()
    exchange = Exchange("id", "GET", "/openai/v1/files/anything", dialect="passthrough", provider="openai")
    exchange.upstream_model, exchange.status = "v1/files/anything", 200
    served(metrics, exchange)
    labels = {"dialect": "passthrough", "provider": "openai", "model": "-", "status": "200"}
    assert sample(metrics, "dragoman_requests_total", **labels) == 1
    series = {"dialect": "passthrough", "provider": "openai"}
    assert sample(metrics, "dragoman_request_duration_seconds_count", **series) is None
    assert b"v1/files" not in metrics.exposition()[0]


async def test_each_failed_try_counts_under_its_account_and_class(tmp_path: Path) -> None:
    metrics = Metrics()
    async with started(tmp_path) as gateway:
        exchange = failed_over(gateway)  # alice answered 529, bob served it
    served(metrics, exchange)
    assert sample(metrics, "dragoman_upstream_errors_total", provider="alice", **{"class": "overloaded"}) == 1
    assert (
        sample(metrics, "dragoman_upstream_errors_total", provider="bob", **{"class": "overloaded"}) is None
    )


def test_counts_are_written_when_flushed_and_in_flight_is_what_is_still_open() -> None:
    metrics = Metrics()
    labels = {"dialect": "anthropic", "provider": "acct-a", "model": "claude-sonnet-4-6", "status": "200"}
    metrics.arrived()
    metrics.arrived()
    metrics.record(routed())
    assert metrics.registry.get_sample_value("dragoman_requests_total", labels) == 0  # added up, not written
    timed = {"dialect": "anthropic", "provider": "acct-a"}
    assert metrics.registry.get_sample_value("dragoman_request_duration_seconds_count", timed) == 1  # at once
    assert sample(metrics, "dragoman_requests_total", **labels) == 1
    assert sample(metrics, "dragoman_requests_in_flight") == 1
    metrics.flush()
    assert sample(metrics, "dragoman_requests_total", **labels) == 1  # written once


async def test_a_worker_flushes_on_its_own_and_once_more_as_it_stops(tmp_path: Path) -> None:
    metrics = Metrics(flush_every=0.05)  # a worker's every FLUSH_SECONDS, sooner
    assert Metrics().flush_every is None and Metrics(tmp_path).flush_every == FLUSH_SECONDS
    metrics.start()
    try:
        served(metrics, routed())
        labels = {"dialect": "anthropic", "provider": "acct-a", "model": "claude-sonnet-4-6", "status": "200"}
        await asyncio.sleep(0.2)
        assert metrics.registry.get_sample_value("dragoman_requests_total", labels) == 1
        served(metrics, routed())
    finally:
        await metrics.stop()
    assert metrics.registry.get_sample_value("dragoman_requests_total", labels) == 2


def test_refreshes_are_counted_as_told() -> None:
    metrics = Metrics()
    metrics.refreshed("claude-alice", "ok")
    metrics.refreshed("claude-alice", "failed")
    assert sample(metrics, "dragoman_token_refreshes_total", provider="claude-alice", outcome="ok") == 1
    assert sample(metrics, "dragoman_token_refreshes_total", provider="claude-alice", outcome="failed") == 1


def test_the_cost_a_trace_priced_is_added_up_per_account_and_model() -> None:
    metrics = Metrics()
    served(metrics, routed(cost=0.0125))
    served(metrics, routed(cost=0.0075))
    served(metrics, routed(cost=None))  # no usage, or a model without a price
    labels = {"provider": "acct-a", "model": "claude-sonnet-4-6"}
    assert sample(metrics, "dragoman_cost_usd_total", **labels) == pytest.approx(0.02)


def test_the_scrape_format_follows_the_accept_header() -> None:
    body, content_type = Metrics().exposition("application/openmetrics-text; version=1.0.0")
    assert content_type.startswith("application/openmetrics-text")
    assert body.endswith(b"# EOF\n")
    assert Metrics().exposition()[1].startswith("text/plain")

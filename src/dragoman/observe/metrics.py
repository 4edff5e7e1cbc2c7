"""Prometheus metrics: what every request did, counted once, as its access line is written.

    metrics = Metrics(shared=metrics_dir.shared(), collectors=[StateCollector(gateway)])
    metrics.start()                       # the app's lifespan (workers: a flush every second)
    ...the middleware, per request...     metrics.arrived() ... metrics.record(exchange)
    ...a token refresh...                 metrics.refreshed(account, "ok")
    ...GET /metrics...                    metrics.exposition()
    await metrics.stop()                  # what is still pending is written

Everything is recorded from the request's `Exchange` at one point (`server.middleware`),
so the relay only notes what it alone knows (usage, the upstream errors judged); state
that already exists (cooldowns, in-flight slots) is read when scraped, by a collector,
never counted per request.

## Under `serve --workers`

prometheus-client's multiprocess mode: every process writes its values to memory-mapped
files in one directory (`PROMETHEUS_MULTIPROC_DIR`, made per run by the supervisor,
`observe.metrics_dir`), and whichever worker is scraped sums them all. The mode is
chosen when prometheus-client is imported, by that variable: the supervisor sets it in
each worker's environment. The in-flight gauge is `livesum`: a dead worker's share is
dropped (`mark_process_dead`), its counters kept.

## Cost per request

Under workers each observation is a write to a memory-mapped file (~1 µs of CPU), and
a request would make up to twelve. So a request writes its two timings (a histogram
takes one value at a time) and the in-flight gauge (up and down: a gauge of now must
not lag); its count and its tokens are added up in plain integers of this process and
written once per `FLUSH_SECONDS`, and by the worker a scrape reaches just before it
answers: another worker's counts may be up to a second behind, never lost (`stop`
writes the rest). A whole answer's
TTFB is its latency, so only streams observe one. Label children are looked up once
per kind of request and kept (`labels()` alone costs ~2 µs). Measured by
tests/observe/metrics_timing.py: ~7 µs of CPU per request under workers, ~4 alone.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import choose_encoder
from prometheus_client.registry import Collector

if TYPE_CHECKING:
    from dragoman.ir.usage import Usage
    from dragoman.server.exchange import Exchange

# Whole requests: a quick error in tens of ms, a long reasoning stream in minutes.
LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0)
# The first byte of a stream: the upstream's own time to first token, mostly.
TTFB_BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0)
# Disjoint, so that their sum is every token: "output" is the visible part, without reasoning.
TOKEN_KINDS = ("input", "cache_read", "cache_write", "output", "reasoning")
# A label value for "none": not routed, no provider, no dialect.
NONE = "-"
# How often a worker writes the counts it added up (what another worker's scrape sees).
FLUSH_SECONDS = 1.0


@dataclass(slots=True)
class _Series:
    """What one kind of request (dialect, account, model, status) writes to."""

    requests: Any
    # Only for a routed request (the others have no model, so no timings or tokens).
    latency: Any = None
    ttfb: Any = None
    tokens: tuple[Any, ...] = ()  # by TOKEN_KINDS
    cost: Any = None
    # Added up since the last flush.
    count: int = 0
    due: list[int] = field(default_factory=lambda: [0] * len(TOKEN_KINDS))
    spent: float = 0.0

    def flush(self) -> None:
        if self.count:
            self.requests.inc(self.count)
            self.count = 0
        for index, child in enumerate(self.tokens):
            if self.due[index]:
                child.inc(self.due[index])
                self.due[index] = 0
        if self.spent:
            self.cost.inc(self.spent)
            self.spent = 0.0


def token_counts(usage: Usage) -> tuple[int, ...]:
    """The usage by TOKEN_KINDS."""
    return (
        usage.uncached_input_tokens,
        usage.cache_read_tokens,
        usage.cache_write_tokens,
        max(0, usage.output_tokens - usage.reasoning_tokens),
        usage.reasoning_tokens,
    )


class Metrics:
    """The metrics of one gateway process. `shared`: the multiprocess directory, when
    this process is one worker of several (its values then live in files there).
    `flush_every`: seconds between flushes once started; by default FLUSH_SECONDS
    under workers, and none alone (the scrape flushes)."""

    def __init__(
        self,
        shared: Path | None = None,
        collectors: Iterable[Collector] = (),
        flush_every: float | None = None,
    ) -> None:
        self.registry = CollectorRegistry()
        own = None if shared is not None else self.registry
        if shared is not None:
            from prometheus_client.multiprocess import MultiProcessCollector

            MultiProcessCollector(self.registry, str(shared))  # type: ignore[no-untyped-call]
        for collector in collectors:
            self.registry.register(collector)
        self._define(own)
        # Label children made once (`labels()` alone costs more than the write it leads to).
        self._children: dict[tuple[Any, ...], Any] = {}
        self._series: dict[tuple[str | None, str | None, str | None, int], _Series] = {}
        self.flush_every = flush_every if flush_every is not None else FLUSH_SECONDS if shared else None
        self._flusher: asyncio.Task[None] | None = None

    def _define(self, registry: CollectorRegistry | None) -> None:
        self.requests = Counter(
            "dragoman_requests",
            "Requests answered, by client dialect, provider (account) and model served, and status.",
            ["dialect", "provider", "model", "status"],
            registry=registry,
        )
        self.latency = Histogram(
            "dragoman_request_duration_seconds",
            "Time from a routed request's arrival to its last byte.",
            ["dialect", "provider"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.ttfb = Histogram(
            "dragoman_time_to_first_byte_seconds",
            "Time from a streamed request's arrival to the first byte sent back.",
            ["dialect", "provider"],
            buckets=TTFB_BUCKETS,
            registry=registry,
        )
        self._define_spend(registry)

    def _define_spend(self, registry: CollectorRegistry | None) -> None:
        """The counters of what requests cost: tokens, money, failures, refreshes."""
        self.tokens = Counter(
            "dragoman_tokens",
            "Tokens by kind (input uncached, cache_read, cache_write, output without reasoning, "
            "reasoning): their sum is every token.",
            ["provider", "model", "kind"],
            registry=registry,
        )
        self.cost = Counter(
            "dragoman_cost_usd",
            "Estimated cost in US dollars (list prices; an estimate for subscription accounts).",
            ["provider", "model"],
            registry=registry,
        )
        self.errors = Counter(
            "dragoman_upstream_errors",
            "Upstream failures, by account and the pool rule that classified them.",
            ["provider", "class"],
            registry=registry,
        )
        self.refreshes = Counter(
            "dragoman_token_refreshes",
            "Subscription token refreshes, by account and outcome (ok, failed, refused).",
            ["provider", "outcome"],
            registry=registry,
        )
        self.in_flight = Gauge(
            "dragoman_requests_in_flight",
            "Requests being answered now, every worker summed.",
            multiprocess_mode="livesum",
            registry=registry,
        )

    def arrived(self) -> None:
        """A request came in (`record` counts it out)."""
        # Written at once, not added up: a gauge of now must not lag a second behind.
        self.in_flight.inc()

    def record(self, exchange: Exchange) -> None:
        """Count one finished request. Only a request the pool routed names a model:
        any other's model or path is the client's free text, no label value."""
        self.in_flight.dec()
        routed = exchange.reason is not None
        model = exchange.upstream_model if routed else None
        key = (exchange.dialect, exchange.provider, model, exchange.status)
        series = self._series.get(key) or self._new_series(key)
        series.count += 1
        for account, rule in exchange.upstream_errors:
            self._child(self.errors, account, rule).inc()
        if not routed:
            return
        series.latency.observe(exchange.latency_ms / 1000)
        if exchange.stream and exchange.ttfb is not None:
            series.ttfb.observe(exchange.ttfb)
        if exchange.usage is not None:
            series.due[:] = map(sum, zip(series.due, token_counts(exchange.usage), strict=True))
        if exchange.cost:
            series.spent += exchange.cost

    def refreshed(self, account: str, outcome: str) -> None:
        """A token refresh of `account` ended: "ok", "failed" (may be retried) or
        "refused" (the login is gone)."""
        self._child(self.refreshes, account, outcome).inc()

    def exposition(self, accept: str | None = None) -> tuple[bytes, str]:
        """Every metric (every worker's, summed), in the format `accept` prefers, and
        that format's content type."""
        self.flush()
        encode, content_type = choose_encoder(accept or "")
        return encode(self.registry), content_type

    def flush(self) -> None:
        """Write what this process added up since the last flush."""
        for series in self._series.values():
            series.flush()

    def start(self) -> None:
        """Flush every `flush_every` seconds (under workers: for the scrapes other
        workers answer)."""
        if self.flush_every is not None and self._flusher is None:
            self._flusher = asyncio.get_running_loop().create_task(self._flush_often())

    async def stop(self) -> None:
        if self._flusher is not None:
            self._flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher
            self._flusher = None
        self.flush()

    async def _flush_often(self) -> None:
        while True:
            await asyncio.sleep(self.flush_every or FLUSH_SECONDS)
            self.flush()

    def _new_series(self, key: tuple[str | None, str | None, str | None, int]) -> _Series:
        dialect, provider, model = (value or NONE for value in key[:3])
        series = _Series(self.requests.labels(dialect, provider, model, key[3]))
        if key[2] is not None:  # routed: it has timings and tokens
            series.latency = self.latency.labels(dialect, provider)
            series.ttfb = self.ttfb.labels(dialect, provider)
            series.tokens = tuple(self.tokens.labels(provider, model, kind) for kind in TOKEN_KINDS)
            series.cost = self.cost.labels(provider, model)
        self._series[key] = series
        return series

    def _child(self, metric: Any, *values: Any) -> Any:
        """The labelled series, made once: the label values are bounded, so is this."""
        key = (metric, *values)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = metric.labels(*values)
        return child

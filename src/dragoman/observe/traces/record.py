"""A request's trace record, built once from its `Exchange` as the request ends.

The record is a plain dict, ready for JSON (the ring, the database, the routes and the
live feed all take it as it is):

    id, time (epoch seconds the request came), key, client, user_agent, dialect, route,
    model (asked), upstream_model (resolved), provider (kind), account, reason (why that
    account), status, stream, ended (how a stream ended), ttfb_ms, duration_ms, bytes_in,
    bytes_out, usage {input_uncached, cache_read, cache_write (cache_write_1h of it),
    output, reasoning, input, total}, cost (US dollars at the price table's rates; None:
    unpriced), cost_estimate (True: a subscription account, whose real price is its
    plan), cost_detail (by kind of token, and the price entry used), routing (the routing
    policy's decision: requested, model, tier, rule, reason, score, scores by signal,
    sticky; None when no rule and no `auto` applied), attempts [{account, provider, model, url,
    status, latency_ms, error, rule, cooldown, cooldown_until, fail_over}], bodies.

Nothing here is done during the request: the attempts are read from the `Attempt`s
the relay kept, the usage from what it noted.
"""

from __future__ import annotations

import time
from time import perf_counter
from typing import TYPE_CHECKING

from dragoman.config.masking import masked_url
from dragoman.ir.usage import Usage
from dragoman.observe.redact import redact
from dragoman.observe.traces.clients import family
from dragoman.observe.traces.outcome import Record

if TYPE_CHECKING:
    from dragoman.server.exchange import Exchange
    from dragoman.server.pooling import Attempt

# Times are kept in milliseconds to two decimals: seconds times this, rounded to a whole
# number, then divided by 100 (`round(x, 2)` goes through a decimal string: 5 times slower).
HUNDREDTHS_OF_MS = 100_000
# What the live feed carries of a record: enough for a row, never bodies (a record on
# the host feed travels in one datagram of at most 60 kB).
SUMMARY = (
    "id", "time", "key", "client", "dialect", "route", "model", "upstream_model", "provider", "account",
    "status", "stream", "ended", "ttfb_ms", "duration_ms", "usage", "cost",
)  # fmt: skip


def record_of(exchange: Exchange, provider: str | None) -> Record:
    """The trace of a request that has just ended; `provider` is its account's kind."""
    started = exchange.started
    duration = perf_counter() - started
    first_byte = exchange.first_byte
    return {
        "id": exchange.request_id,
        "time": time.time() - duration,
        "key": exchange.key,
        "client": family(exchange.user_agent),
        "user_agent": exchange.user_agent,
        "dialect": exchange.dialect,
        "route": f"{exchange.method} {exchange.path}",
        "model": exchange.model,
        "upstream_model": exchange.upstream_model,
        "provider": provider,
        "account": exchange.provider,
        "reason": exchange.reason,
        "status": exchange.status,
        "stream": exchange.stream,
        "ended": exchange.ended if exchange.stream else None,
        "ttfb_ms": round((first_byte - started) * HUNDREDTHS_OF_MS) / 100 if first_byte is not None else None,
        "duration_ms": round(duration * HUNDREDTHS_OF_MS) / 100,
        "bytes_in": exchange.bytes_in,
        "bytes_out": exchange.bytes_out,
        "usage": usage_of(exchange.usage),
        # Priced by the tracer (`tracer.price`).
        "cost": None,
        "cost_estimate": None,
        "cost_detail": None,
        "routing": exchange.routing,
        "attempts": [attempt_of(attempt, started) for attempt in exchange.attempts],
        "bodies": None,
    }


def usage_of(usage: Usage | None) -> dict[str, int] | None:
    """The usage in the trace's terms: `input_uncached` + `cache_read` + `cache_write` is
    the whole prompt (`input`), whichever convention the upstream counted in (`ir.usage`)."""
    if usage is None:
        return None
    uncached, read, _, written_1h = usage.prompt_parts()
    prompt, output = usage.input_tokens, usage.output_tokens
    return {
        "input_uncached": uncached,
        "cache_read": read,
        "cache_write": usage.cache_write_tokens,
        "cache_write_1h": written_1h,
        "output": output,
        "reasoning": usage.reasoning_tokens,
        "input": prompt,
        "total": prompt + output,
    }


def attempt_of(attempt: Attempt, started: float) -> Record:
    """One account tried: where, how it answered, and what the pool made of it."""
    route = attempt.candidate.route
    upstream = route.upstream
    decision = attempt.decision
    cooled = decision is not None and decision.action in COOLED
    tried, end = attempt.started, attempt.finished
    url = attempt.url or upstream.base_url
    return {
        "account": upstream.name,
        "provider": upstream.spec.kind,
        "model": route.model,
        "url": shown_url(url),
        "started_ms": round((tried - started) * HUNDREDTHS_OF_MS) / 100,
        "status": attempt.status,
        "latency_ms": round((end - tried) * HUNDREDTHS_OF_MS) / 100 if end is not None else None,
        "error": attempt.error,
        "rule": decision.rule if decision is not None else None,
        "cooldown": f"{decision.action} {decision.scope}" if cooled and decision is not None else None,
        "cooldown_until": decision.until if cooled and decision is not None else None,
        "fail_over": attempt.fail_over,
    }


# What a pool's decision does to an account that a trace shows as its cooldown.
COOLED = frozenset(("cool", "unhealthy", "model_off"))


# URLs as shown, by URL: a gateway calls few distinct ones, and masking one costs
# ~5 µs, a sixth of what a trace may cost a request.
_shown: dict[str, str] = {}
SHOWN_MAX = 4096


def shown_url(url: str) -> str:
    """The URL without its secrets (a password, a `?key=`, a token-shaped segment)."""
    shown = _shown.get(url)
    if shown is None:
        if len(_shown) >= SHOWN_MAX:
            _shown.clear()
        shown = _shown[url] = redact(masked_url(url))
    return shown


def summary_of(record: Record) -> Record:
    """The record as the live feed carries it."""
    return {name: record[name] for name in SUMMARY}

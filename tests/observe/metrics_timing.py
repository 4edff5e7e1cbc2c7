"""What recording one request's metrics costs: `python -m tests.observe.metrics_timing`.

Run as its own process, because prometheus-client picks how it stores values when it is
imported: with PROMETHEUS_MULTIPROC_DIR set (a worker of `serve --workers`), every
observation is a write to a memory-mapped file. Prints microseconds per request (best
of 5 runs) for a streamed request with four kinds of tokens, as the middleware records
it: in-flight up and down, then `Metrics.record`.
"""

from __future__ import annotations

import os
import sys
import tempfile
import timeit

RUNS, NUMBER = 5, 20_000


def per_request() -> float:
    from dragoman.ir.usage import Usage
    from dragoman.observe.metrics import Metrics
    from dragoman.observe.metrics_dir import shared
    from dragoman.server.exchange import Exchange

    metrics = Metrics(shared())
    exchange = Exchange("id", "POST", "/v1/messages", dialect="anthropic", model="claude-sonnet-4-6")
    exchange.chose("acct-a", "claude-sonnet-4-6", "strategy=fill-first")
    exchange.status, exchange.stream, exchange.ttfb = 200, True, 0.4
    exchange.usage = Usage(input_tokens=1200, output_tokens=300, cache_read_tokens=1000, reasoning_tokens=100)

    def once() -> None:
        metrics.in_flight.inc()
        metrics.in_flight.dec()
        metrics.record(exchange)

    return min(timeit.repeat(once, number=NUMBER, repeat=RUNS)) / NUMBER * 1e6


def main() -> None:
    if "PROMETHEUS_MULTIPROC_DIR" not in os.environ and "--shared" in sys.argv:
        with tempfile.TemporaryDirectory() as path:
            os.environ["PROMETHEUS_MULTIPROC_DIR"] = path
            print(f"{per_request():.2f}")
        return
    print(f"{per_request():.2f}")


if __name__ == "__main__":
    main()

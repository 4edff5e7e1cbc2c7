"""What recording one request's metrics costs: `python -m tests.observe.metrics_timing`.

Run as its own process, because prometheus-client picks how it stores values when it is
imported: with PROMETHEUS_MULTIPROC_DIR set (a worker of `serve --workers`), every
observation is a write to a memory-mapped file. Prints microseconds per request (best
of 5 runs, CPU time), then the same with a flush after each request (a gateway idle
but for one request a second) for a streamed request with four kinds of tokens, as the middleware records
it: `Metrics.arrived`, then `Metrics.record`, plus the flush it will take part in.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import timeit

RUNS, NUMBER = 5, 20_000


def per_request() -> tuple[float, float]:
    """Microseconds per request: as recorded, and with a flush after every request."""
    from dragoman.ir.usage import Usage
    from dragoman.observe.metrics import Metrics
    from dragoman.observe.metrics_dir import shared
    from dragoman.server.exchange import Exchange

    metrics = Metrics(shared())
    exchange = Exchange("id", "POST", "/v1/messages", dialect="anthropic", model="claude-sonnet-4-6")
    exchange.chose("acct-a", "claude-sonnet-4-6", "strategy=fill-first")
    exchange.status, exchange.stream, exchange.first_byte = 200, True, exchange.started + 0.4
    exchange.usage = Usage(input_tokens=1200, output_tokens=300, cache_read_tokens=1000, reasoning_tokens=100)

    def once() -> None:
        metrics.arrived()
        metrics.record(exchange)

    # CPU time, not wall time: on a shared machine the wall clock also counts the turns
    # other processes take on the core.
    runs = timeit.repeat(once, number=NUMBER, repeat=RUNS, timer=time.process_time)

    # A flush writes each kind of request's sums once, however many requests it covers:
    # at 1 request a second (the worst case) one flush per request.
    def flushed_each() -> None:
        once()
        metrics.flush()

    flushed = min(timeit.repeat(flushed_each, number=NUMBER, repeat=RUNS, timer=time.process_time))
    return min(runs) / NUMBER * 1e6, flushed / NUMBER * 1e6


def main() -> None:
    if "PROMETHEUS_MULTIPROC_DIR" not in os.environ and "--shared" in sys.argv:
        with tempfile.TemporaryDirectory() as path:
            os.environ["PROMETHEUS_MULTIPROC_DIR"] = path
            main()
        return
    recorded, flushed_each = per_request()
    print(f"{recorded:.2f} {flushed_each:.2f}")


if __name__ == "__main__":
    main()

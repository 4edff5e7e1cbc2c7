"""What tracing costs a request: `PYTHONPATH=src python -m tests.observe.traces.timings`.

The step timed is the whole of what tracing adds at a request's end (`Tracer.finish`):
the record built from a real Exchange of a request that failed over once (two
attempts judged by a real pool, usage noted), priced, appended to the ring and to the batch
waiting for the database, a summary published on the host backend's feed. Bodies are
off, the default. The numbers in README.md ("Traces and usage") come from here.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from dragoman.config import load
from dragoman.ir.usage import Usage
from dragoman.server.app import build_gateway
from dragoman.server.exchange import Exchange
from dragoman.server.gateway import Gateway
from dragoman.server.pooling import Attempt
from tests.state.timings import per_call

PROVIDER = {"kind": "openai_compatible", "dialect": "openai_chat", "models": ["gpt-4.1"]}


@asynccontextmanager
async def started(home: Path, **settings: Any) -> AsyncIterator[Gateway]:
    providers = {
        name: {**PROVIDER, "base_url": f"http://127.0.0.1:9/{name}/v1", "api_key": "sk-timing-0000000000"}
        for name in ("alice", "bob")
    }
    gateway = build_gateway(load(home=str(home), overrides={"providers": providers, **settings}), environ={})
    await gateway.start()
    try:
        yield gateway
    finally:
        await gateway.aclose()


def failed_over(gateway: Gateway) -> Exchange:
    """The Exchange of a streamed request whose first account answered 529."""
    assert gateway.selector is not None and gateway.state is not None
    gateway.state.health.reset("alice")  # cooled by the last one
    exchange = Exchange("0123456789abcdef0123456789abcdef", "POST", "/v1/chat/completions")
    exchange.user_agent, exchange.dialect, exchange.stream = "OpenAI/Python 3.52.0", "openai_chat", True
    choice = gateway.selector.choose("gpt-4.1", gateway.registry.resolve("gpt-4.1"))
    first, second = (Attempt(gateway.selector, candidate, "gpt-4.1", None) for candidate in choice.candidates)
    first.url = second.url = "http://127.0.0.1:9/v1/chat/completions"
    first.failed(529, {}, b'{"error": {"type": "overloaded_error", "message": "overloaded"}}')
    second.answered({})
    exchange.attempts += [first, second]
    exchange.chose("bob", "gpt-4.1", "failover from alice because 529 overloaded")
    exchange.model, exchange.upstream_model, exchange.status, exchange.ended = "gpt-4.1", "gpt-4.1", 200, "ok"
    exchange.usage = Usage(input_tokens=1200, output_tokens=300, cache_read_tokens=1000)
    exchange.first_byte = exchange.started + 0.1
    exchange.bytes_in, exchange.bytes_out = 4000, 9000
    return exchange


async def finish_cost(home: Path, iterations: int, viewers: int = 0) -> float:
    """µs per `Tracer.finish`, with `viewers` subscribed to the live feed."""
    async with started(home) as gateway:
        assert gateway.tracer is not None and gateway.state is not None
        tracer, exchange = gateway.tracer, failed_over(gateway)
        subscriptions = [gateway.state.feed.subscribe(100) for _ in range(viewers)]
        micros = per_call(iterations, lambda: tracer.finish(exchange))
        for subscription in subscriptions:
            subscription.close()
        tracer.url = None  # the timed records are not worth writing
        return micros


def main() -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        for viewers in (0, 10):
            micros = asyncio.run(finish_cost(Path(folder) / f"home-{viewers}", 20_000, viewers))
            print(f"Tracer.finish, {viewers:2} live viewers: {micros:6.2f} µs per request")


if __name__ == "__main__":
    main()

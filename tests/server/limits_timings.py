"""What a key's limits cost a request: `PYTHONPATH=src python -m tests.server.limits_timings`.

The step timed is the whole of what `server.limits` adds to a request: `admit` (the
prompt's token estimate, its price, a reservation per limit and an in-flight slot) and
`settle` (the answer's usage priced, each reservation settled, the slot given back), on
the host backend (`serve`'s), for a key with a money budget per month, tokens per day,
`rpm` and `max_concurrent` (alice), one with a money budget alone (bob), and an admin
key (no limits). The request is a real Claude Code capture (93 kB, 12 tools): the token
estimate walks all of it.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Callable
from pathlib import Path

from dragoman import dialects
from dragoman.ir.request import Request
from dragoman.ir.usage import Usage
from dragoman.policy.keys import Limit, LocalKey
from dragoman.server import limits
from dragoman.server.exchange import Exchange
from dragoman.server.gateway import Gateway
from dragoman.state import Period
from tests.captures import load_all
from tests.observe.traces.timings import started
from tests.state.timings import per_await

ALICE = LocalKey(
    "alice",
    limits=(
        Limit("budget", "cost", 1e9, Period.fixed("month", "Europe/Paris")),
        Limit("tokens", "tokens", 1e15, Period.fixed("day", "Europe/Paris")),
        Limit("rpm", "requests", 1e9, Period.rolling(60)),
    ),
    max_concurrent=1000,
)
ADMIN = LocalKey("key1", admin=True)


def claude_code_request() -> Request:
    capture = next(c for c in load_all() if c.name == "claude-code/03-anthropic.messages.stream")
    request = dialects.get("anthropic").request.parse(capture.body)
    request.model = "gpt-4.1"  # priced, and served by the timing gateway
    return request


def one_request(gateway: Gateway, key: LocalKey, request: Request) -> Callable[[], asyncio.Future[None]]:
    async def step() -> None:
        exchange = Exchange("0123456789abcdef0123456789abcdef", "POST", "/v1/messages")
        exchange.local_key, exchange.upstream_model, exchange.ended = key, "gpt-4.1", "ok"
        hold = await limits.admit(gateway, request, exchange)
        exchange.usage = Usage(input_tokens=20_000, output_tokens=300, cache_read_tokens=19_000)
        if hold is not None:
            await limits.settle(hold, exchange)

    return step  # type: ignore[return-value]


# A key with one money budget: the commonest case.
BOB = LocalKey("bob", limits=ALICE.limits[:1])
KEYS = {"alice": ALICE, "bob": BOB, "admin": ADMIN}


async def per_request(home: Path, iterations: int, names: list[str]) -> dict[str, float]:
    """µs per request for each key named."""
    request = claude_code_request()
    async with started(home) as gateway:
        steps = {name: one_request(gateway, KEYS[name], request) for name in names}
        return {name: await per_await(iterations, step) for name, step in steps.items()}


def main(iterations: int = 5_000, names: list[str] | None = None) -> None:
    """Also run under cachegrind for one key with two counts: the difference of their
    instructions over 5 times that of the counts (5 repeats) is the cost per request."""
    with tempfile.TemporaryDirectory() as folder:
        for name, micros in asyncio.run(per_request(Path(folder), iterations, names or list(KEYS))).items():
            print(f"key limits, {name}: admit + settle {micros:6.2f} µs per request")


if __name__ == "__main__":
    import sys

    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5_000, sys.argv[2:] or None)

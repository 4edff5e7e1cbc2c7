"""What choosing an account costs a request: `PYTHONPATH=src python -m tests.pools.timings`.

Two pools of 8 accounts serving one model: one where every account has a 5-hour and a
weekly window, every third one cools for the model's family and 10,000 sessions are
bound; one where nothing is known yet (API keys). Measured per call, best of 5 runs:
`choose` for a session already bound (most requests of a conversation) and for a new
session under each strategy, and the two calls a request ends with. A pool of one
account is the baseline. Not a test: timings on a shared machine cannot assert.

Measured (2 shared cores at load ~4), µs per call:

                               choose, pool of 8     choose, 1 account   on_success   judge 200
    memory, windows+cooling        6.6-11                 2.2-3.3            2.1-3.0      3.6-5.7
    memory, nothing known          4.7-8.6                1.6                1.9-2.2      3.1-4.4
    host,   windows+cooling        6.1-8.9                2.0-2.1            2.0-2.4      3.1-3.6
    host,   nothing known          4.8-8.6                1.7-1.8            2.1-2.4      3.4-3.6

least-used is the dearest on the host backend (it reads every account's in-flight count,
a shared-memory sum), weighted for a new session (it sorts the rest by score).
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from dragoman.config import load
from dragoman.pools.members import Candidate
from dragoman.pools.outcomes import Outcome
from dragoman.pools.reading import NOTHING
from dragoman.pools.selector import Selector
from dragoman.pools.settings import PoolSettings, StrategyName
from dragoman.pools.strategies import STRATEGIES
from dragoman.providers.upstream import build_upstreams
from dragoman.routing.registry import Registry, Route
from dragoman.state import WHOLE_ACCOUNT, State, Window, open_state
from tests.state.timings import per_call

MODEL = "claude-fable-5"
POOL = [f"account-{n}" for n in range(8)]
ITERATIONS = 20_000


def routes() -> list[Route]:
    providers = {
        name: {
            "kind": "anthropic",
            "api_key": "k" * 20,
            "base_url": f"http://127.0.0.1:{n + 1}",
            "models": [MODEL],
        }
        for n, name in enumerate(POOL)
    }
    settings = load(overrides={"providers": providers})
    return Registry(build_upstreams(settings, environ={}), settings.models).resolve(MODEL)


def prepare(state: State) -> None:
    now = time.time()
    for n, account in enumerate(POOL):
        for name, used in (("5h", 30.0 + n), ("7d", 60.0 + n)):
            state.windows.observe(Window(account, WHOLE_ACCOUNT, name, used, 18_000, now + 3600, now))
        if n % 3 == 0:
            state.health.strike(account, "fable", "quota", "7d_oi rejected", until=now + 86_400)
    for session in range(10_000):
        state.bindings.bind(f"session-{session}", MODEL, POOL[1 + session % 7], ttl=3600)


def measure(state: State, strategy: StrategyName, served: Sequence[Route]) -> dict[str, float]:
    selector = Selector(state, PoolSettings(strategy=strategy))
    bound = per_call(ITERATIONS, lambda: selector.choose(MODEL, served, session="session-42"))
    fresh = per_call(ITERATIONS, lambda: selector.choose(MODEL, served, session="new"))
    candidate = selector.choose(MODEL, served, session="session-42").candidates[0]
    return {"bound": bound, "new session": fresh, **hooks(selector, candidate)}


def hooks(selector: Selector, candidate: Candidate[Route]) -> dict[str, float]:
    answered = Outcome("anthropic", 200)

    def success() -> None:
        selector.on_success(candidate, MODEL, session="session-42", ttfb=0.4)

    def judged() -> None:
        selector.judge(candidate, MODEL, answered, NOTHING, session="session-42")

    return {"on_success": per_call(ITERATIONS, success), "judge 200": per_call(ITERATIONS, judged)}


def report(label: str, figures: dict[str, float]) -> None:
    print(f"  {label:<13}" + "  ".join(f"{name} {value:5.2f}" for name, value in figures.items()))


def untouched(state: State) -> None:
    """API keys: no windows, no cooldowns, no bindings yet."""


SCENARIOS: dict[str, Callable[[State], None]] = {
    "8 accounts, 2 windows each, 3 cooling, 10k bound sessions": prepare,
    "8 accounts, nothing known": untouched,
}


async def main() -> None:
    served = routes()
    for backend in ("memory", "host"):
        for scenario, setup in SCENARIOS.items():
            with tempfile.TemporaryDirectory() as home:
                async with open_state(Path(home) if backend == "host" else None, backend=backend) as state:
                    setup(state)
                    print(f"µs per call, {backend} backend: {scenario}")
                    for strategy in STRATEGIES:
                        report(strategy, measure(state, strategy, served))
                    report("1 account", measure(state, "fill-first", served[1:2]))


if __name__ == "__main__":
    asyncio.run(main())

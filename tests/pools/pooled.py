"""Pools for the selector's tests: real routes from a real registry (accounts named by
their `[providers.NAME]` label), the memory state on a clock the test moves, and a
request loop that does what the relay will: choose, take a slot, answer, release."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from dragoman.config import load
from dragoman.pools.backoff import Jitter
from dragoman.pools.members import Candidate
from dragoman.pools.outcomes import Decision, Outcome
from dragoman.pools.reading import NOTHING, Reading
from dragoman.pools.selector import Choice, Selector
from dragoman.pools.settings import AccountPolicy, PoolSettings
from dragoman.providers.upstream import build_upstreams
from dragoman.routing.registry import Registry, Route
from dragoman.state import State, open_state
from tests.state.conftest import START, FakeClock

__all__ = ["START", "FakeClock", "Pooled"]


def no_jitter(low: float, high: float) -> float:
    """Resets exact to the second, so tests can state them."""
    return 0.0


def accounts(count: int, prefix: str = "acct") -> list[str]:
    return [f"{prefix}-{n}" for n in range(count)]


def registry(names: Sequence[str], models: Sequence[str]) -> Registry:
    providers = {
        name: {
            "kind": "openai_compatible",
            "base_url": f"http://127.0.0.1:{n + 1}/v1",
            "models": list(models),
        }
        for n, name in enumerate(names)
    }
    settings = load(overrides={"providers": providers})
    return Registry(build_upstreams(settings, environ={}), settings.models)


class Pooled:
    """One pool of accounts serving `models`, a selector over the memory state, and the
    clock both read."""

    def __init__(
        self,
        names: Sequence[str],
        models: Sequence[str] = ("m",),
        settings: PoolSettings | None = None,
        policies: Mapping[str, AccountPolicy] | None = None,
        jitter: Jitter = no_jitter,
    ) -> None:
        self.clock = FakeClock(START)
        self.state: State = open_state(None, backend="memory", clock=self.clock)
        self.registry = registry(names, models)
        self.selector = Selector(self.state, settings, policies, clock=self.clock, jitter=jitter)

    def routes(self, model: str = "m") -> list[Route]:
        return self.registry.resolve(model)

    def choose(self, model: str = "m", session: str | None = None, owner: str | None = None) -> Choice[Route]:
        return self.selector.choose(model, self.routes(model), session=session, owner=owner)

    def order(self, model: str = "m", session: str | None = None, owner: str | None = None) -> list[str]:
        return [candidate.account for candidate in self.choose(model, session, owner).candidates]

    def candidate(self, account: str, model: str = "m") -> Candidate[Route]:
        """`account` as a candidate for `model`, eligible or not (a request chosen
        before the account failed)."""
        return self.selector.pool(model, self.routes(model)).by_account[account].ranked

    def serve(self, model: str = "m", session: str | None = None, ttfb: float | None = None) -> str:
        """One request answered by its first candidate; the account that served it."""
        first = self.choose(model, session).candidates[0]
        self.selector.on_success(first, model, session=session, ttfb=ttfb)
        return first.account

    def fail(
        self,
        account: str,
        status: int | None,
        model: str = "m",
        reading: Reading = NOTHING,
        body: object = None,
        session: str | None = None,
        refreshed: bool = False,
    ) -> Decision:
        """`account` answered `status`: the selector judges it as the relay will."""
        outcome = Outcome("openai_compatible", status, body)
        candidate = self.candidate(account, model)
        return self.selector.judge(candidate, model, outcome, reading, session=session, refreshed=refreshed)

"""Choosing the accounts a request tries, in order: the call the relay makes per request.

    choice = selector.choose(model, registry.resolve(model), session=key, owner=owner)
    if not choice.candidates:
        refuse(selector.refusal(choice))                 # 429 with retry-after
    for candidate in choice.candidates:                  # the first, then failover order
        if not await selector.acquire(choice, candidate):
            continue                                     # its last slot went to another request
        try: ... selector.judge(candidate, model, outcome, reading) ...
                 selector.on_success(candidate, model, session=key, ttfb=seconds)
        finally: selector.release(candidate)

Order of a choice: the continuation's owner alone when one is given (its state lives
on that account only); else the session's bound account when it is eligible; else the
best priority tier with an eligible account, ordered by the pool's strategy; then the
lower tiers. Accounts that are out are kept with the reason (`pools.eligibility`).
What answers do to accounts and bindings: `judge`, `on_failure`, `on_success`
(the rules in `pools.feedback`).

Cost: a choice among 8 accounts takes 5-9 µs, among 1 about 2 µs; `on_success` about
2 µs and `judge` of a 200 about 3.5 µs (tests/pools/timings.py has the table).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic

from dragoman.pools import feedback, usage
from dragoman.pools.affinity import Latency, Slowness, bounded_put
from dragoman.pools.backoff import DEFAULT_POLICY as DEFAULT_BACKOFF
from dragoman.pools.backoff import Jitter, Policy
from dragoman.pools.eligibility import Gate
from dragoman.pools.exclusion import BUSY_RETRY, Exclusion
from dragoman.pools.families import claude_family
from dragoman.pools.members import Candidate, Member, Pool, R
from dragoman.pools.outcomes import Decision, Outcome, classify
from dragoman.pools.reading import Reading
from dragoman.pools.refusal import NoAccount, no_account
from dragoman.pools.rules import RULES, Rule
from dragoman.pools.settings import AccountPolicy, PoolSettings
from dragoman.pools.strategies import STRATEGIES
from dragoman.state.bundle import State
from dragoman.state.records import WHOLE_ACCOUNT, LastError

POOLS_KEPT = 1024
# Who stored an answer a continuation names (`previous_response_id`): a binding of this
# key and model, to the account's name under this prefix, so that dropping the sessions
# bound to an account (it cooled) keeps it: the stored answer is still there. Kept for
# `session_ttl`, as a session's binding: continuations come within minutes, and one
# entry per answer for longer would grow the shared state with the traffic.
OWNED, OWNED_MODEL = "owned:", "*"


@dataclass(slots=True)
class Choice(Generic[R]):
    """The accounts to try for one request, best first, and those that are out.
    `dropped`: the account a binding pointed to, when the binding was dropped."""

    model: str
    now: float
    candidates: list[Candidate[R]] = field(default_factory=list)
    excluded: list[Exclusion] = field(default_factory=list)
    dropped: str | None = None
    # No account was eligible: the candidates are those kept out only by a transient
    # cooldown, tried anyway (`_only_blipped`).
    blipped: bool = False
    # The percent of a usage window past which an account was out (`guard`).
    reserve: float = 100.0


class Selector:
    """Pools per model over one runtime state, with the per-process parts that need no
    sharing: round-robin cursors, weighted scores, first-byte times."""

    def __init__(
        self,
        state: State,
        settings: PoolSettings | None = None,
        policies: Mapping[str, AccountPolicy] | None = None,
        *,
        clock: Callable[[], float] = time.time,
        jitter: Jitter = random.uniform,
        backoff: Policy = DEFAULT_BACKOFF,
        rules: tuple[Rule, ...] = RULES,
    ) -> None:
        self.state = state
        self.clock = clock
        self.jitter = jitter
        self.backoff = backoff
        self.rules = rules
        self.transient = frozenset(rule.name for rule in rules if rule.effect == "transient")
        self.learned: dict[str, str] = {}  # upstream model -> the family its quota is counted in
        self._pools: dict[str, Pool[Any]] = {}
        self.configure(settings or PoolSettings(), policies or {})

    def configure(
        self, settings: PoolSettings | None = None, policies: Mapping[str, AccountPolicy] | None = None
    ) -> None:
        """New settings or account policies (a config reload, `accounts set`, the admin
        API): pools are rebuilt on their next request."""
        if settings is not None:
            self.settings = settings
            self.latency = Latency(settings.slow.smoothing)
            self.slowness = Slowness(settings.slow)
        if policies is not None:
            self.policies = dict(policies)
        health, in_flight, windows = self.state.health, self.state.in_flight, self.state.windows
        self.gate = Gate(health, in_flight, windows, self.settings.quota_reserve_percent)
        self._guards: dict[float, Gate] = {}
        self._pools.clear()

    def choose(
        self,
        model: str,
        routes: Sequence[R],
        *,
        session: str | None = None,
        owner: str | None = None,
        guard: float | None = None,
    ) -> Choice[R]:
        """The accounts to try for `model` among `routes` (pass the registry's list as it
        is: the pool built from it is kept while it is the same list). `guard`: a local
        key's own percent of a usage window past which an account is out for its
        requests, when lower than the pools' `quota_reserve_percent`."""
        pool = self.pool(model, routes)
        now = self.clock()
        gate = self.gate if guard is None or guard >= self.gate.reserve else self._guarded(guard)
        choice: Choice[R] = Choice(model, now, reserve=gate.reserve)
        eligible = self._eligible(pool, now, owner, choice.excluded, gate)
        if eligible:
            choice.candidates = self._order(pool, eligible, session, owner, choice)
        else:
            choice.candidates = [member.ranked for member in _only_blipped(pool, choice.excluded)]
            choice.blipped = True
        return choice

    async def acquire(self, choice: Choice[R], candidate: Candidate[R]) -> bool:
        """Take an in-flight slot on the candidate's account, atomically under its
        `max_concurrent`; False (and the account noted as busy) when another request
        took the last one since the choice."""
        if await self.state.in_flight.acquire(candidate.account, candidate.limit):
            return True
        lost = Exclusion(candidate.account, "busy", self.clock() + BUSY_RETRY, amount=candidate.limit or 0)
        choice.excluded.append(lost)
        return False

    def release(self, candidate: Candidate[Any]) -> None:
        self.state.in_flight.release(candidate.account)

    def refusal(self, choice: Choice[Any]) -> NoAccount:
        """The 429 for a request no account could take."""
        return no_account(choice.model, choice.excluded, choice.now, choice.reserve)

    def judge(
        self,
        candidate: Candidate[Any],
        model: str,
        outcome: Outcome,
        reading: Reading,
        *,
        session: str | None = None,
        refreshed: bool = False,
    ) -> Decision:
        """Read one answer (any status): keep its usage windows, classify it with the
        account's backoff history, remember a failure as the account's last error
        (its message masked by `classify`), and apply the Decision (`on_failure`)."""
        now = self.clock()
        for window in usage.windows(candidate.account, reading, now):
            self.state.windows.observe(window)
        level, cooling_until = feedback.history(self.state.health, candidate, now)
        decision = classify(
            outcome,
            reading,
            now=now,
            level=level,
            cooling_until=cooling_until,
            refreshed=refreshed,
            policy=self.backoff,
            jitter=self.jitter,
            rules=self.rules,
        )
        if outcome.status is None or outcome.status >= 400:
            failure = LastError(candidate.account, now, outcome.status, decision.rule, decision.reason)
            self.state.health.failed(failure)
        self.on_failure(candidate, model, decision, session=session)
        return decision

    def on_failure(
        self, candidate: Candidate[Any], model: str, decision: Decision, *, session: str | None = None
    ) -> None:
        """Apply a Decision: cool the account at its scope and drop the bindings it
        breaks. Decisions that cool nothing (keep, pass, refresh) change nothing."""
        kind = feedback.cooldown_kind(decision, self.transient)
        if kind is None:
            return
        scope = feedback.scope_of(candidate, decision)
        self.state.health.strike(candidate.account, scope, kind, decision.reason, decision.until)
        self._learn(candidate, scope)
        if scope == WHOLE_ACCOUNT:
            self.state.bindings.drop_account(candidate.account)
        elif session is not None:
            self.state.bindings.drop(session, model)

    def on_success(
        self, candidate: Candidate[Any], model: str, *, session: str | None = None, ttfb: float | None = None
    ) -> None:
        """An answer came: the account recovers, the session's binding is made or renewed
        for `session_ttl`, unless the account was too slow for it too often."""
        feedback.recovered(self.state.health, candidate)
        released = ttfb is not None and self._timed(candidate, model, session, ttfb)
        if session is not None and not released:
            self.state.bindings.bind(session, model, candidate.account, self.settings.session_ttl)

    def own(self, answer_id: str, account: str) -> None:
        """`account` stored the answer `answer_id`: a request continuing it (naming it as
        `previous_response_id`) can only be served there (`owner`)."""
        self.state.bindings.bind(OWNED + answer_id, OWNED_MODEL, OWNED + account, self.settings.session_ttl)

    def owner(self, answer_id: str) -> str | None:
        """The account that stored `answer_id`, when one of this gateway's pools did."""
        owner = self.state.bindings.get(OWNED + answer_id, OWNED_MODEL)
        return owner.removeprefix(OWNED) if owner is not None else None

    def pool(self, model: str, routes: Sequence[R]) -> Pool[R]:
        pool = self._pools.get(model)
        if pool is None or (pool.routes is not routes and pool.routes != routes):
            strategy = self.settings.strategy_for(model)
            pool = Pool(model, routes, strategy, self.policies, self.family_of)
            bounded_put(self._pools, model, pool, POOLS_KEPT)
        return pool

    def family_of(self, model: str) -> str:
        """The family an upstream model's quota is counted in ("" when not known)."""
        return self.learned.get(model) or claude_family(model) or ""

    def pool_accounts(self, model: str) -> Sequence[str]:
        pool = self._pools.get(model)
        return tuple(pool.by_account) if pool is not None else ()

    def _guarded(self, reserve: float) -> Gate:
        gate = self._guards.get(reserve)
        if gate is None:
            state = self.state
            gate = Gate(state.health, state.in_flight, state.windows, reserve)
            bounded_put(self._guards, reserve, gate, POOLS_KEPT)
        return gate

    def _eligible(
        self, pool: Pool[R], now: float, owner: str | None, excluded: list[Exclusion], gate: Gate
    ) -> list[Member[R]]:
        check = gate.check
        eligible: list[Member[R]] = []
        for member in pool.members:
            exclusion = check(member, now, owner)
            if exclusion is None:
                eligible.append(member)
            else:
                excluded.append(exclusion)
        return eligible

    def _order(
        self,
        pool: Pool[R],
        eligible: list[Member[R]],
        session: str | None,
        owner: str | None,
        choice: Choice[R],
    ) -> list[Candidate[R]]:
        if owner is not None:  # only the owner passed the gate
            return [member.owned for member in eligible]
        bound = self._bound(pool, session, eligible, choice) if session is not None else None
        if bound is not None:  # the rest as configured: the strategy moves on new sessions only
            best = eligible[0].priority
            rest = (m.ranked if m.priority == best else m.lower for m in eligible if m is not bound)
            return [bound.bound, *rest]
        ordered = self._ranked(pool, eligible)
        if session is not None and self.slowness.moved:
            self._last(self.slowness.moved.pop((session, pool.model), None), ordered)
        return ordered

    def _ranked(self, pool: Pool[R], eligible: list[Member[R]]) -> list[Candidate[R]]:
        """The best tier in the strategy's order, then the lower tiers as configured."""
        best, cut = eligible[0].priority, len(eligible)
        if eligible[-1].priority != best:
            cut = next(n for n, member in enumerate(eligible) if member.priority != best)
        tier = STRATEGIES[pool.strategy](pool, eligible[:cut] if cut < len(eligible) else eligible)
        ordered = [member.ranked for member in tier]
        if cut < len(eligible):
            ordered.extend(member.lower for member in eligible[cut:])
        return ordered

    def _bound(
        self, pool: Pool[R], session: str, eligible: list[Member[R]], choice: Choice[R]
    ) -> Member[R] | None:
        """The session's bound account when it may serve; a binding to one that may not
        (or that left the pool) is dropped, so the session is never pinned to it."""
        account = self.state.bindings.get(session, pool.model)
        if account is None:
            return None
        member = pool.by_account.get(account)
        if member is not None and member in eligible:
            return member
        self.state.bindings.drop(session, pool.model)
        choice.dropped = account
        return None

    def _timed(self, candidate: Candidate[Any], model: str, session: str | None, ttfb: float) -> bool:
        """Record a first-byte time; True when it released the session's binding."""
        slow = False
        if session is not None and self.slowness.might_be_slow(ttfb):
            baseline = self.latency.baseline(self.pool_accounts(model), candidate.account)
            slow = self.slowness.slow(ttfb, baseline)
        self.latency.record(candidate.account, ttfb)
        if session is None:
            return False
        if not slow:
            self.slowness.clear((session, model))
            return False
        if not self.slowness.strike((session, model), candidate.account):
            return False
        self.state.bindings.drop(session, model)
        return True

    def _learn(self, candidate: Candidate[Any], scope: str) -> None:
        """A model whose name tells no family (Codex) learns it from the family an
        answer cooled, so the next choice checks that family's cooldown and windows."""
        model = candidate.route.model
        if scope in (WHOLE_ACCOUNT, candidate.scope, candidate.family) or claude_family(model):
            return
        self.learned[model] = scope
        self._pools.clear()

    @staticmethod
    def _last(account: str | None, ordered: list[Candidate[R]]) -> None:
        """Move the account a slow binding was released from to the end."""
        if account is None or len(ordered) < 2:
            return
        for n, candidate in enumerate(ordered):
            if candidate.account == account:
                ordered.append(ordered.pop(n))
                return


def _only_blipped(pool: Pool[R], excluded: list[Exclusion]) -> list[Member[R]]:
    """When no account is eligible, those kept out only by a transient cooldown (a
    timeout, a reset, a 5xx) are tried anyway, soonest recovery first: a transient
    cooldown steers requests to healthier accounts, it never empties a pool (a lone
    local server is not refused for its cooldown after one blip; an outage that has
    passed is noticed by the next request). Quota, unhealthy and disabled stay out."""
    out = {id(exclusion) for exclusion in excluded}
    blipped = [
        member
        for member in pool.members
        if member.cooled is not None and member.cooled.kind == "transient" and id(member.cooled_out) in out
    ]
    return sorted(blipped, key=lambda member: member.cooled.until if member.cooled else 0.0)

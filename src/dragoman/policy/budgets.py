"""A request's share of its key's limits: reserved before it is sent, settled after.

    hold = await admit(state, key, Demand(...))    # raises the refusal (`policy.refusals`)
    ...the answer...
    await hold.settle(tokens, cost)                 # what it really spent
    await hold.release()                            # an error before anything was billed

Each limit is one counter (`state.Counters`; a key's are reserved together, in one
step, and settled together), named `key:<key>:<limit>` over the
limit's period: `dragoman keys` reads spend back under that name. A request reserves
1 against a request count, its estimated prompt plus the output it may generate
(capped: `[limits] reserve_output_max`) against a token count, and the price of those
tokens against a budget in money. `max_concurrent` is an in-flight slot named
`key:<key>` (`state.InFlight`).

A hold can grow (`Hold.grow`): a streamed answer whose output passes what it reserved
reserves a further step against the key's budgets (its token and money limits over a
period, not its rates), the same atomic way; refused, the answer is cut there
(`server.metering`).

How far a budget can be overshot: reserving is atomic across processes, so the
requests running at once never hold more than the budget together. What can pass it
is settling to more than was held: a streamed answer cut when its next step was
refused has run past its hold by what came in its last network read (and a prompt
longer than its estimate passes by the estimate's error). A whole (non-streamed)
answer reserves its whole max output (`server.limits`), so it never runs past its
hold. So N answers at once pass a budget by what each one's last network read carried
past its hold: a few tokens each at a model's generation pace (`server.metering`).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from dragoman.ir.errors import GatewayError
from dragoman.policy.keys import Limit, LocalKey
from dragoman.policy.refusals import cut, is_rate, refusal, too_many
from dragoman.state.bundle import State
from dragoman.state.records import Ask, Refused, Reservation


@dataclass(frozen=True, slots=True)
class Demand:
    """What one request may spend: its prompt's estimate, that plus the output reserved,
    and their prices (None: not priced, the key having no budget in money)."""

    input_tokens: int
    tokens: int
    cost: float | None = None
    input_cost: float | None = None

    def of(self, limit: Limit) -> float:
        if limit.kind == "requests":
            return 1.0
        if limit.kind == "tokens":
            return float(self.tokens)
        assert self.cost is not None, "a key with a money budget needs a priced demand"
        return self.cost


def counter_name(key: LocalKey, limit: Limit) -> str:
    return f"key:{key.name}:{limit.name}"


def slot_name(key: LocalKey) -> str:
    return f"key:{key.name}"


def grows(limit: Limit) -> bool:
    """Whether a hold grows against this limit as its answer runs on: a budget of tokens
    or money; not a request count, nor a rate (a pace, settled as the answer ends)."""
    return limit.kind != "requests" and not is_rate(limit)


def limited(key: LocalKey) -> bool:
    """Whether anything is held for this key's requests (admin keys: nothing, at no cost)."""
    return bool(key.limits) or key.max_concurrent is not None or key.max_output_tokens is not None


class Hold:
    """What one request holds: reservations per limit (the first at admission, then a
    step each time it grows), and maybe an in-flight slot. Ends once: the first settle
    or release does it, any later one does nothing. `tokens` and `cost` are what it
    holds in all; `output` the output seen so far (tokens, estimated while streaming)."""

    __slots__ = ("_state", "cost", "demand", "ended", "held", "key", "output", "slot", "tokens")

    def __init__(self, state: State, key: LocalKey, demand: Demand, slot: bool) -> None:
        self._state = state
        self.key = key
        self.demand = demand
        self.slot = slot
        self.held: list[tuple[Limit, Reservation]] = []
        self.ended = False
        self.tokens = demand.tokens
        self.cost = demand.cost
        self.output = 0

    async def grow(self, tokens: int, cost: float | None, now: float | None = None) -> GatewayError | None:
        """Reserve `tokens` (priced `cost`) more against the key's budgets, in one step;
        the refusal to cut the answer with when they do not fit, with nothing held."""
        limits = [limit for limit in self.key.limits if grows(limit)]
        if not limits or self.ended:
            return None
        step = Demand(0, tokens, cost, 0.0 if cost is not None else None)
        asks = [
            Ask(counter_name(self.key, limit), step.of(limit), limit.amount, limit.period) for limit in limits
        ]
        reserving = asyncio.ensure_future(self._state.counters.reserve_all(asks))
        try:
            found = await asyncio.shield(reserving)
        except asyncio.CancelledError:
            # The client left meanwhile: a step once made is kept, for the settling to end.
            self._add(limits, await reserving, tokens, cost)
            raise
        if isinstance(found, Refused):
            limit, ask = next(
                (limit, ask) for limit, ask in zip(limits, asks, strict=True) if ask.key == found.key
            )
            return cut(self.key, limit, found, ask.amount, time.time() if now is None else now)
        self._add(limits, found, tokens, cost)
        return None

    def _add(
        self, limits: list[Limit], found: list[Reservation] | Refused, tokens: int, cost: float | None
    ) -> None:
        if not isinstance(found, Refused):
            self.held += zip(limits, found, strict=True)
            self.tokens += tokens
            if self.cost is not None and cost is not None:
                self.cost += cost

    async def settle(self, tokens: float, cost: float | None) -> None:
        """Count what the request really spent: `tokens` in all; `cost` in US dollars
        (None: unknown, so what was reserved stays counted: never free). Against each
        limit the first reservation takes the whole spend, the steps grown after it 0."""
        if self._end() and self.held:
            first: set[str] = set()
            spent = []
            for limit, reservation in self.held:
                whole = limit.name not in first
                first.add(limit.name)
                spent.append((reservation, _spent(limit, reservation, tokens, cost, whole)))
            await self._state.counters.settle_all(spent)

    async def settle_input(self) -> None:
        """The client left without usage reported: count the prompt, which the upstream
        billed once it had the request."""
        await self.settle(self.demand.input_tokens, self.demand.input_cost)

    async def release(self) -> None:
        """Give everything back: the request failed before anything was billed."""
        if self._end() and self.held:
            await self._state.counters.settle_all([(reservation, 0.0) for _, reservation in self.held])

    def _end(self) -> bool:
        if self.ended:
            return False
        self.ended = True
        if self.slot:
            self._state.in_flight.release(slot_name(self.key))
        return True


async def admit(state: State, key: LocalKey, demand: Demand, now: float | None = None) -> Hold:
    """Reserve `demand` against every one of the key's limits at once (one step of the
    counters), and a slot under its `max_concurrent`; the refusal of the first limit that
    does not fit, with nothing held."""
    slot = key.max_concurrent is not None
    if slot and not await state.in_flight.acquire(slot_name(key), key.max_concurrent):
        raise too_many(key)
    hold = Hold(state, key, demand, slot)
    if not key.limits:
        return hold
    asks = [
        Ask(counter_name(key, limit), demand.of(limit), limit.amount, limit.period) for limit in key.limits
    ]
    found = await state.counters.reserve_all(asks)
    if isinstance(found, Refused):
        await hold.release()
        limit, ask = next(
            (limit, ask) for limit, ask in zip(key.limits, asks, strict=True) if ask.key == found.key
        )
        raise refusal(key, limit, found, ask.amount, time.time() if now is None else now)
    hold.held = list(zip(key.limits, found, strict=True))
    return hold


def _spent(limit: Limit, reservation: Reservation, tokens: float, cost: float | None, whole: bool) -> float:
    """What `reservation` settles to: a request count stays; a grown step (not `whole`)
    gives its amount back to the first, which counts the whole spend; a cost unknown
    keeps every amount held (never free)."""
    if limit.kind == "requests" or (limit.kind == "cost" and cost is None):
        return reservation.amount
    if not whole:
        return 0.0
    return tokens if limit.kind == "tokens" else cost  # type: ignore[return-value]

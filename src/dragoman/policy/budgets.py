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

How far a limit can be overshot: reserving is atomic across processes, so the
requests admitted at once never hold more than the limit together. What can pass it
is settling: a request whose answer cost more than it reserved (output past the cap,
a prompt longer than estimated) settles to what it cost. So a budget is overshot by
at most what the requests running as it filled spent above their reservations; with
output under the cap, never by more than one reservation.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from dragoman.policy.keys import Limit, LocalKey
from dragoman.policy.refusals import refusal, too_many
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


def limited(key: LocalKey) -> bool:
    """Whether anything is held for this key's requests (admin keys: nothing, at no cost)."""
    return bool(key.limits) or key.max_concurrent is not None or key.max_output_tokens is not None


class Hold:
    """What one request holds: a reservation per limit, and maybe an in-flight slot.
    Ends once: the first settle or release does it, any later one does nothing."""

    __slots__ = ("_state", "demand", "ended", "held", "key", "slot")

    def __init__(self, state: State, key: LocalKey, demand: Demand, slot: bool) -> None:
        self._state = state
        self.key = key
        self.demand = demand
        self.slot = slot
        self.held: list[tuple[Limit, Reservation]] = []
        self.ended = False

    async def settle(self, tokens: float, cost: float | None) -> None:
        """Count what the request really spent: `tokens` in all; `cost` in US dollars
        (None: unknown, so what was reserved stays counted: never free)."""
        if self._end() and self.held:
            spent = [
                (reservation, _spent(limit, reservation, tokens, cost)) for limit, reservation in self.held
            ]
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


def _spent(limit: Limit, reservation: Reservation, tokens: float, cost: float | None) -> float:
    if limit.kind == "requests":
        return reservation.amount
    if limit.kind == "tokens":
        return tokens
    return reservation.amount if cost is None else cost

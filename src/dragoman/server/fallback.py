"""The relay's step for a model that has a fallback chain (`routing.chains`): its models
tried in order until one answers, nothing having reached the client before.

    for each model of the chain (the requested one first):
        skip it when the request is too long for its context window (`Fit`)
        try its pool (`relay._pool_answer`, chained): an answer -> served by it
        all its accounts out, or failed over to the end   -> the next model
        the upstream refused the request as too long     -> the next model whose window fits
        any other fault of the request (a 400)            -> raised at once, nowhere else to go
    then the models whose accounts were out only for a blip, tried anyway
    nothing left: the last failure; else a 429 naming each model's accounts (the earliest
    retry-after of them all); else, too long for all, a 400 naming both numbers

The request goes to each model as it is: the relay renders it for that model's
upstream, and thinking signed by another account is left out there
(`ir.reasoning.keep_for`). A model after the first answers under its own name (the
`Request` returned names it), so the client sees which model answered; the request's
trace and log line say `fallback from X because Y`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, field, replace
from typing import Any

from dragoman.ir import Request
from dragoman.ir.errors import ContextTooLong, GatewayError, ModelNotFound
from dragoman.ir.tokens import estimate
from dragoman.pools import NoAccount, chain_refusal, fallback_reason
from dragoman.routing.chains import Link
from dragoman.routing.registry import Registry, Route
from dragoman.server.pooling import Attempt, refused

log = logging.getLogger("dragoman.relay")

# The failure-table rules (`pools.rules.RULES`) that say the request is too long.
TOO_LONG = frozenset({"context_too_long", "prompt_too_long"})

# (request, model, its routes, why the model before could not serve, pass over blipped
# accounts) -> the answer and what ends it; raises ModelOut when the model cannot serve.
TryModel = Callable[[Request, str, list[Route], str | None, bool], Awaitable[tuple[Any, AsyncExitStack]]]


class ModelOut(Exception):
    """A model of a chain could not serve the request: the walk goes on. Never reaches
    a client: the walk turns what it collected into the error a client gets."""

    def __init__(
        self,
        model: str,
        because: str,
        *,
        error: GatewayError | None = None,
        refusal: NoAccount | None = None,
        too_long: bool = False,
        blipped: bool = False,
    ) -> None:
        super().__init__(because)
        self.model, self.because, self.error, self.refusal = model, because, error, refusal
        self.too_long, self.blipped = too_long, blipped


def refused_out(model: str, refusal: NoAccount, *, blipped: bool = False) -> ModelOut:
    """The ModelOut of a model no account of which could take the request."""
    return ModelOut(
        model, f"no account can serve it now: {refusal.reasons}", refusal=refusal, blipped=blipped
    )


def model_end(error: GatewayError, attempt: Attempt, model: str, chained: bool) -> ModelOut | None:
    """The ModelOut that moves the request along the chain when one goes on and the
    model's last failure lets it (the accounts' own, or a request too long); None: the
    error goes to the client as it is."""
    if not chained:
        return None
    if attempt.fail_over:
        return ModelOut(model, attempt.because, error=error)
    decision = attempt.decision
    if decision is not None and decision.rule in TOO_LONG:
        return ModelOut(model, attempt.because, error=error, too_long=True)
    return None


def pool_out(
    refusal: NoAccount, failure: GatewayError | None, because: str | None, model: str, chained: bool
) -> Exception:
    """What a pool whose candidates are all spent raises: the last failure, else the
    429 naming why each account is out; a ModelOut when a chain goes on. Nothing has
    reached the client yet."""
    if failure is not None:
        return ModelOut(model, because or "", error=failure) if chained else failure
    return refused_out(model, refusal) if chained else refused(refusal)


@dataclass(slots=True)
class Hop:
    name: str
    routes: list[Route]
    served: Request


@dataclass(slots=True)
class Walk:
    """What the walk has learned so far."""

    registry: Registry
    request: Request
    because: str | None = None
    tokens: int | None = None  # the request's estimate, once a window asked for it
    too_long: bool = False
    floor: int = 0  # the largest window known to be too small
    # The models too small for it: (name, context window, refused by its upstream).
    windows: list[tuple[str, int, bool]] = field(default_factory=list)
    outs: dict[str, ModelOut] = field(default_factory=dict)
    error: GatewayError | None = None
    deferred: list[Hop] = field(default_factory=list)

    def fits(self, name: str, model_id: str) -> bool:
        """Whether the request may fit the model's window (an unknown window may)."""
        window = self.registry.window(model_id)
        if window is None:
            return True
        if self.tokens is None:
            self.tokens = estimate(self.request)
        if self.tokens <= window and not (self.too_long and window <= self.floor):
            return True
        if self.tokens > window:
            why = f"the request (about {self.tokens} tokens) is longer than its context window ({window})"
        else:
            why = f"its context window ({window}) is no larger than one that refused the request as too long"
        self.too_long, self.floor = True, max(self.floor, window)
        self.windows.append((name, window, False))
        self.because = fallback_reason(name, why)
        return False

    def note(self, hop: Hop, out: ModelOut) -> None:
        log.warning("%s could not serve (%s); trying its fallback", hop.name, out.because)
        self.because = fallback_reason(hop.name, out.because)
        self.outs[hop.name] = out
        if out.blipped:
            self.deferred.append(hop)
        elif out.too_long:
            window = self.registry.window(hop.routes[0].model)
            self.too_long, self.floor = True, max(self.floor, window or 0)
            if window is not None:
                self.windows.append((hop.name, window, True))
        elif out.error is not None:
            self.error = out.error

    def failure(self) -> GatewayError:
        """What the client gets when no model of the chain answered."""
        if self.error is not None:
            return self.error
        refusals = [out.refusal for out in self.outs.values() if out.refusal is not None and not out.too_long]
        if refusals:
            return refused(chain_refusal(refusals))
        if self.windows:
            return ContextTooLong(self._too_long_message())
        too_long = [out.error for out in self.outs.values() if out.error is not None]
        return (
            too_long[-1]
            if too_long
            else ContextTooLong("the request is too long for every model of its chain")
        )

    def _too_long_message(self) -> str:
        if self.tokens is None:
            self.tokens = estimate(self.request)
        (name, window, refused), *rest = self.windows
        said = ", refused by its upstream" if refused else ""
        others = ", ".join(f"{other} ({size})" for other, size, _ in rest)
        tail = f", nor into its fallbacks': {others}" if others else ""
        return (
            f"the request is about {self.tokens} tokens (estimated), more than fits into the context "
            f"window of {name} ({window} tokens{said}){tail}; shorten it or start a new conversation"
        )


async def walk(
    registry: Registry, request: Request, routes: list[Route], links: list[Link], pool: TryModel
) -> tuple[Any, AsyncExitStack, Request]:
    """The first answer of the chain's models, with the request that model served."""
    state = Walk(registry, request)
    for hop in _hops(registry, request, routes, links, state):
        if not state.fits(hop.name, hop.routes[0].model):
            continue
        try:
            answer, exits = await pool(hop.served, hop.name, hop.routes, state.because, True)
            return answer, exits, hop.served
        except ModelOut as out:
            state.note(hop, out)
    for hop in state.deferred:
        try:
            answer, exits = await pool(hop.served, hop.name, hop.routes, state.because, False)
            return answer, exits, hop.served
        except ModelOut as out:
            state.note(hop, out)
    raise state.failure()


def _hops(
    registry: Registry, request: Request, routes: list[Route], links: list[Link], state: Walk
) -> Iterator[Hop]:
    """The chain's models, resolved only when the walk gets to them."""
    yield Hop(request.model, routes, request)
    for link in links:
        if link.context_only and not state.too_long:
            continue
        try:
            found = registry.resolve(link.name)
        except ModelNotFound:
            log.warning("the fallback model %r is not served; passed over", link.name)
            continue
        yield Hop(link.name, found, replace(request, model=found[0].model))

"""The relay's step that holds a request to its local key's limits (`policy.budgets`).

    hold = await limits.admit(gateway, request, exchange)   # None: nothing to hold
    ...no answer: `hold.release()`; the client left before one: `hold.settle_input()`...
    batches = limits.metered(gateway, served, hold, batches)  # a stream: grown as it runs
    exits.push_async_callback(limits.settle, hold, exchange)  # as the answer ends

A key without limits (the config's admin keys) costs one check of three fields.

What is reserved against a key's budgets (token and money limits over a period): the
prompt's estimate, plus for a streamed answer `[limits] reserve_output_max` tokens (or
its max output when less), grown by such steps as its output passes them and cut when a
step is refused (`server.metering`); for a whole answer, which cannot be cut, its whole
max output (`max_tokens` times its choices, else the model's output limit; neither
known: `reserve_output_max`, and the request's max_tokens is set to it). When the
budgets have no room for a whole answer's max output, its max output is lowered to
`reserve_output_max` and that is reserved; no room for that either, the 403.

What is settled: the usage the answer reported (a client that left mid-answer, or an
answer cut: the usage seen so far, its output at least what passed), tokens cache reads
and writes and reasoning included, priced at the rates of the model that served it; a
subscription account's tokens are priced at API list prices too, as an estimate. An
answer with no usage reported settles what it reserved, unless it was cut short (the
client left, the upstream failed mid-answer): then the prompt, which the upstream billed
once it had the request, and the output that passed.
"""

from __future__ import annotations

from dataclasses import replace

from dragoman.ir import tokens
from dragoman.ir.errors import ModelNotFound, PermissionDenied, RateLimited, Unavailable
from dragoman.ir.request import Request
from dragoman.ir.usage import Usage
from dragoman.observe.cost import estimate
from dragoman.policy import budgets
from dragoman.policy.budgets import Demand, Hold
from dragoman.policy.keys import LocalKey
from dragoman.policy.refusals import unpriced
from dragoman.server.batches import Batches
from dragoman.server.exchange import Exchange
from dragoman.server.gateway import Gateway
from dragoman.server.metering import Meter
from dragoman.server.metering import metered as counted
from dragoman.state import State

FINISHED = (None, "ok")


async def admit(gateway: Gateway, request: Request, exchange: Exchange) -> Hold | None:
    """Reserve the request's share of its key's limits (clamping its max output to the
    key's `max_output_tokens`); raises the refusal. None: its key has no limits."""
    key = exchange.local_key
    if key is None or not budgets.limited(key):
        return None
    _check_ledger(gateway, key)
    cap = key.max_output_tokens
    if cap is not None and (request.max_tokens is None or request.max_tokens > cap):
        request.max_tokens = cap
    state = _state(gateway)
    if not key.limits:
        return await budgets.admit(state, key, Demand(0, 0))
    step = gateway.settings.limits.reserve_output_max
    if request.stream or not any(budgets.grows(limit) for limit in key.limits):
        output = min(request.max_tokens or step, step)  # more as it streams
        return await budgets.admit(state, key, _demand(gateway, request, key, output))
    return await _admit_whole(gateway, request, key, step)


def metered(gateway: Gateway, request: Request, hold: Hold, batches: Batches) -> Batches:
    """A streamed answer's batches, counted against the key's budgets as they pass
    (`server.metering`); as they are when the key has none."""
    if not any(budgets.grows(limit) for limit in hold.key.limits):
        return batches
    meter = Meter(hold, _ceiling(gateway, request), gateway.settings.limits.reserve_output_max)
    return counted(meter, batches)


async def settle(hold: Hold, exchange: Exchange) -> None:
    """Count what the answer spent, as it ends (see the module's docstring)."""
    usage = exchange.usage
    finished = exchange.ended in FINISHED
    if not finished and hold.output:
        usage = _with_output_seen(usage, hold)
    if usage is not None and (usage.input_tokens or usage.output_tokens):
        cost = _cost(exchange, usage) if hold.demand.cost is not None else None
        await hold.settle(usage.input_tokens + usage.output_tokens, cost)
    elif finished:
        await hold.settle(hold.tokens, hold.cost)
    else:
        await hold.settle_input()


def uncounted(key: LocalKey | None, route: str) -> None:
    """Refuse a key with limits a route whose spend is not counted: never free."""
    if key is not None and budgets.limited(key):
        raise PermissionDenied(
            f"key {key.name!r} has limits, and {route} forwards requests without reading their usage, "
            "so it cannot count them: use the dialect endpoints (/v1/messages, /v1/chat/completions, ...)"
        )


async def _admit_whole(gateway: Gateway, request: Request, key: LocalKey, step: int) -> Hold:
    """Hold a whole answer's max output (it cannot be cut); no room for it: lower the
    request's max output to `step` and hold that."""
    state = _state(gateway)
    whole = _ceiling(gateway, request)
    if whole is None:  # nothing bounds the answer: this bounds it
        request.max_tokens = max(1, step // request.choices)
        whole = request.max_tokens * request.choices
    if whole > step:
        try:
            return await budgets.admit(state, key, _demand(gateway, request, key, whole))
        except (PermissionDenied, RateLimited):
            request.max_tokens = max(1, step // request.choices)
            whole = request.max_tokens * request.choices
    return await budgets.admit(state, key, _demand(gateway, request, key, whole))


def _ceiling(gateway: Gateway, request: Request) -> int | None:
    """The most output the request's answer may have: its max output per choice (its
    max_tokens, else its model's output limit) times its choices; None: not known."""
    most = request.max_tokens
    if most is None:
        try:
            model = gateway.registry.resolve(request.model)[0].model
        except ModelNotFound:
            return None
        most = gateway.registry.output_limit(model)
    return most * request.choices if most is not None else None


def _demand(gateway: Gateway, request: Request, key: LocalKey, output: int) -> Demand:
    """The request's prompt (estimated) and `output` tokens, priced for a money budget."""
    kinds = {limit.kind for limit in key.limits}
    if kinds == {"requests"}:
        return Demand(0, 0)  # nothing to estimate (the prompt's estimate walks all of it)
    prompt = tokens.estimate(request)
    if "cost" not in kinds:
        return Demand(prompt, prompt + output)
    model = gateway.registry.resolve(request.model)[0].model
    whole = estimate(model, Usage(input_tokens=prompt, output_tokens=output), subscription=False)
    if whole is None:
        raise unpriced(key, model)
    prompt_cost = whole.input + whole.cache_read + whole.cache_write
    return Demand(prompt, prompt + output, whole.total, prompt_cost)


def _with_output_seen(usage: Usage | None, hold: Hold) -> Usage:
    """A cut answer's usage: what the upstream reported of it, its output at least what
    passed (billed, though never reported), its prompt the estimate when not reported."""
    seen = usage or Usage()
    return replace(
        seen,
        input_tokens=seen.input_tokens or hold.demand.input_tokens,
        output_tokens=max(seen.output_tokens, hold.output),
    )


def _cost(exchange: Exchange, usage: Usage) -> float | None:
    """The answer's price at its served model's rates (None: no price; a subscription
    account's is the same list price, counted as an estimate)."""
    model = exchange.upstream_model or exchange.model
    found = estimate(model, usage, subscription=False) if model else None
    return found.total if found is not None else None


def _check_ledger(gateway: Gateway, key: LocalKey) -> None:
    tracer = gateway.tracer
    if gateway.settings.limits.fail_closed and tracer is not None and tracer.failing:
        raise Unavailable(
            f"key {key.name!r} has limits, and dragoman cannot write its usage ledger now "
            "(the database fails: see its log); `[limits] fail_closed` refuses spend it cannot record"
        )


def _state(gateway: Gateway) -> State:
    if gateway.state is None:
        raise Unavailable("dragoman is not started yet")
    return gateway.state

"""The relay's step that holds a request to its local key's limits (`policy.budgets`).

    hold = await limits.admit(gateway, request, exchange)   # None: nothing to hold
    ...no answer: `hold.release()`; the client left before one: `hold.settle_input()`...
    exits.push_async_callback(limits.settle, hold, exchange)  # as the answer ends

A key without limits (the config's admin keys) costs one check of three fields.

What is settled: the usage the answer reported (a client that left mid-answer: the
usage seen so far), tokens cache reads and writes and reasoning included, priced at
the rates of the model that served it; a subscription account's tokens are priced at
API list prices too, as an estimate. An answer with no usage reported settles what it
reserved, unless it was cut short (the client left, the upstream failed mid-answer):
then only the prompt, which the upstream billed once it had the request.
"""

from __future__ import annotations

from dragoman.ir import tokens
from dragoman.ir.errors import PermissionDenied, Unavailable
from dragoman.ir.request import Request
from dragoman.ir.usage import Usage
from dragoman.observe.cost import estimate
from dragoman.policy import budgets
from dragoman.policy.budgets import Demand, Hold
from dragoman.policy.keys import LocalKey
from dragoman.policy.refusals import unpriced
from dragoman.server.exchange import Exchange
from dragoman.server.gateway import Gateway
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
    demand = _demand(gateway, request, key) if key.limits else Demand(0, 0)
    return await budgets.admit(_state(gateway), key, demand)


async def settle(hold: Hold, exchange: Exchange) -> None:
    """Count what the answer spent, as it ends (see the module's docstring)."""
    usage = exchange.usage
    if usage is not None and (usage.input_tokens or usage.output_tokens):
        cost = _cost(exchange, usage) if hold.demand.cost is not None else None
        await hold.settle(usage.input_tokens + usage.output_tokens, cost)
    elif exchange.ended in FINISHED:
        await hold.settle(hold.demand.tokens, hold.demand.cost)
    else:
        await hold.settle_input()


def uncounted(key: LocalKey | None, route: str) -> None:
    """Refuse a key with limits a route whose spend is not counted: never free."""
    if key is not None and budgets.limited(key):
        raise PermissionDenied(
            f"key {key.name!r} has limits, and {route} forwards requests without reading their usage, "
            "so it cannot count them: use the dialect endpoints (/v1/messages, /v1/chat/completions, ...)"
        )


def _demand(gateway: Gateway, request: Request, key: LocalKey) -> Demand:
    kinds = {limit.kind for limit in key.limits}
    if kinds == {"requests"}:
        return Demand(0, 0)  # nothing to estimate (the prompt's estimate walks all of it)
    prompt = tokens.estimate(request)
    cap = gateway.settings.limits.reserve_output_max
    output = min(request.max_tokens or cap, cap)
    if "cost" not in kinds:
        return Demand(prompt, prompt + output)
    model = gateway.registry.resolve(request.model)[0].model
    whole = estimate(model, Usage(input_tokens=prompt, output_tokens=output), subscription=False)
    if whole is None:
        raise unpriced(key, model)
    prompt_cost = whole.input + whole.cache_read + whole.cache_write
    return Demand(prompt, prompt + output, whole.total, prompt_cost)


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

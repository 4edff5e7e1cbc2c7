"""A prompt's token count from the upstream serving its model, when that upstream counts
(Anthropic `count_tokens`, Gemini `countTokens`, OpenAI `responses/input_tokens`, and
Code Assist's `:countTokens` for a Gemini CLI login), on the account the model's pool
picks for the conversation; None otherwise, and the caller answers with the offline
estimate (`ir.tokens`).

A count is no generation: no key limit is reserved for it and no price is charged. Any
failure of the upstream's count (it lacks the endpoint, refuses, is out or unreachable)
falls back to the estimate, logged: a client asking a count only wants to know when to
compact, and an estimate serves that.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from dragoman.ir.errors import GatewayError
from dragoman.ir.request import Request
from dragoman.policy import is_auto
from dragoman.pools.sessions import session_headers, session_key
from dragoman.routing.registry import Route
from dragoman.server.exchange import Exchange
from dragoman.server.gateway import Gateway
from dragoman.server.pooled_call import Operation, on_pool, post_json
from dragoman.server.pooling import Attempt
from dragoman.server.send import login_of
from dragoman.server.upstream_call import prepare

log = logging.getLogger("dragoman.count")


@dataclass(frozen=True, slots=True)
class Counter:
    """How one dialect's vendor counts: where, the body from a generate body, the count."""

    path: Callable[[str], str]
    body: Callable[[dict[str, Any], str], dict[str, Any]]
    count: Callable[[Any], Any]


def _picked(*keys: str) -> Callable[[dict[str, Any], str], dict[str, Any]]:
    return lambda body, model: {key: body[key] for key in keys if key in body}


def _gemini_body(body: dict[str, Any], model: str) -> dict[str, Any]:
    # countTokens takes the whole generate request (system, tools) under this key.
    return {"generateContentRequest": {"model": f"models/{model}", **body}}


def _code_assist_body(body: dict[str, Any], model: str) -> dict[str, Any]:
    # Gemini CLI's toCountTokenRequest: the qualified model and the contents only (the
    # envelope's project and the request's system and tools are not taken).
    contents = (body.get("request") or {}).get("contents", [])
    return {"request": {"model": f"models/{model}", "contents": contents}}


COUNTERS: dict[str, Counter] = {
    "anthropic": Counter(
        lambda model: "/messages/count_tokens",
        _picked("model", "messages", "system", "tools", "tool_choice", "thinking"),
        lambda answer: answer.get("input_tokens"),
    ),
    "gemini": Counter(
        lambda model: f"/models/{model}:countTokens",
        _gemini_body,
        lambda answer: answer.get("totalTokens"),
    ),
    "openai_responses": Counter(
        lambda model: "/responses/input_tokens",
        _picked("model", "input", "instructions", "tools", "tool_choice", "parallel_tool_calls", "reasoning"),
        lambda answer: answer.get("input_tokens"),
    ),
    "code_assist": Counter(
        lambda model: ":countTokens",
        _code_assist_body,
        lambda answer: answer.get("totalTokens"),
    ),
}


def counting_routes(gateway: Gateway, model: str) -> list[Route]:
    """The model's routes when every one can count (an API-key upstream whose kind and
    dialect count, or a login whose kind counts); else none."""
    if is_auto(model):
        return []
    routes = gateway.registry.resolve(model)
    ok = all(_counts(route) for route in routes)
    return routes if ok else []


def _counts(route: Route) -> bool:
    return _counter(route) is not None


def _counter(route: Route) -> Counter | None:
    """How the route's upstream counts: its dialect's way with a key, its kind's with a login."""
    upstream, spec = route.upstream, route.upstream.spec
    if upstream.account_id is not None:
        return COUNTERS.get(spec.login_counter) if spec.login_counter else None
    return COUNTERS.get(upstream.dialect) if spec.counts_tokens else None


async def upstream_count(
    gateway: Gateway,
    exchange: Exchange,
    request: Request,
    body: object,
    scope_headers: list[tuple[bytes, bytes]],
    key: str,
) -> int | None:
    """The upstream's count of `request`'s prompt, or None (then: the estimate)."""
    routes = counting_routes(gateway, request.model)
    if not routes:
        return None
    found = session_key(session_headers(scope_headers), body, request.source or "", key)
    session = found.key if found else None
    try:
        call = _asked(gateway, request)
        return await on_pool(gateway, exchange, request.model, routes, session, "count_tokens", call)
    except GatewayError as error:
        log.warning("no upstream count for %s (%s); answering the estimate", request.model, error)
        return None


def _asked(gateway: Gateway, request: Request) -> Operation[int | None]:
    async def call(route: Route, attempt: Attempt) -> int | None:
        upstream = route.upstream
        counter = _counter(route)
        assert counter is not None  # counting_routes chose the route
        prepared = prepare(route, request, None, await login_of(gateway, route))
        content = orjson.dumps(counter.body(orjson.loads(prepared.content), route.model))
        url = upstream.url(counter.path(route.model))
        raw, _ = await post_json(gateway, route, attempt, url, content, prepared.headers, prepared.target)
        count = counter.count(orjson.loads(raw))
        if not isinstance(count, int) or isinstance(count, bool):
            log.warning("%s answered a count without one; answering the estimate", upstream.name)
            return None
        return count

    return call

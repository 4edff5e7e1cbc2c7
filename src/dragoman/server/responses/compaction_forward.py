"""Compaction by an upstream that compacts natively (OpenAI, the Codex backend): the
request rendered for that upstream as any Responses request is (its quirks, its login),
with the compaction_trigger put back last, or sent to its `/responses/compact`, on the
account the model's pool picks for the conversation. The upstream's answer goes back as
it came: it is the client's dialect already, and its compaction item is the upstream's
to read."""

from __future__ import annotations

from contextlib import AsyncExitStack
from typing import Any

import orjson
from starlette.requests import Request as HttpRequest
from starlette.responses import Response

from dragoman.ir.errors import UpstreamError
from dragoman.ir.request import Request
from dragoman.policy import is_auto
from dragoman.pools.sessions import session_headers, session_key
from dragoman.providers.http import read_all
from dragoman.routing.registry import Route
from dragoman.server import key_models, local_auth
from dragoman.server.exchange import exchange_of
from dragoman.server.gateway import Gateway
from dragoman.server.pooling import refused
from dragoman.server.send import login_of
from dragoman.server.upstream_call import UpstreamCall, prepare

RESPONSES = "openai_responses"
# What `/responses/compact` does not take (a non-streamed JSON endpoint that stores nothing).
NOT_COMPACT = ("stream", "store", "include", "stream_options", "background")


def native_routes(gateway: Gateway, model: str) -> list[Route]:
    """The model's routes when every one compacts natively; else none (`auto` too: its
    routing policy picks the model in the relay, which then summarises)."""
    if is_auto(model):
        return []
    routes = gateway.registry.resolve(model)
    native = all(route.upstream.spec.compaction and route.upstream.dialect == RESPONSES for route in routes)
    return routes if native else []


async def trigger(
    http: HttpRequest, gateway: Gateway, request: Request, routes: list[Route], item: dict[str, Any]
) -> Response:
    def body_for(call: UpstreamCall) -> tuple[str, bytes]:
        body = orjson.loads(call.content)
        body["input"] = [*body.get("input", []), item]
        return call.url, orjson.dumps(body)

    return await _forwarded(http, gateway, request, routes, body_for)


async def compact(http: HttpRequest, gateway: Gateway, request: Request, routes: list[Route]) -> Response:
    def body_for(call: UpstreamCall) -> tuple[str, bytes]:
        body = {key: value for key, value in orjson.loads(call.content).items() if key not in NOT_COMPACT}
        return call.url.removesuffix("/responses") + "/responses/compact", orjson.dumps(body)

    return await _forwarded(http, gateway, request, routes, body_for)


async def _forwarded(
    http: HttpRequest, gateway: Gateway, request: Request, routes: list[Route], body_for: Any
) -> Response:
    exchange = exchange_of(http.scope)
    key_models.require(exchange.local_key, request.model, routes)
    if gateway.selector is None:
        raise UpstreamError("dragoman is not started yet")
    selector = gateway.selector
    found = session_key(session_headers(http.scope["headers"]), None, RESPONSES, local_auth.key_name(http))
    choice = selector.choose(request.model, routes, session=found.key if found else None)
    for candidate in choice.candidates:
        if not await selector.acquire(choice, candidate):
            continue
        exchange.chose(candidate.account, candidate.route.model, candidate.reason)
        try:
            return await _sent(gateway, candidate.route, request, http, body_for)
        finally:
            selector.release(candidate)
    raise refused(selector.refusal(choice))


async def _sent(
    gateway: Gateway, route: Route, request: Request, http: HttpRequest, body_for: Any
) -> Response:
    account = await login_of(gateway, route)
    call = prepare(route, request, http.headers, account)
    url, content = body_for(call)
    upstream = route.upstream
    async with AsyncExitStack() as exits:
        response = await gateway.clients.open(upstream, "POST", url, content=content, headers=call.headers)
        exits.push_async_callback(response.aclose)
        raw = await read_all(upstream, response)
        if response.status_code >= 400:
            raise call.target.error.parse(response.status_code, raw, response.headers)
        media = response.headers.get("content-type", "application/json")
        return Response(raw, status_code=response.status_code, media_type=media)

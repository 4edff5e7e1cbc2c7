"""Compaction by an upstream that compacts natively (OpenAI, the Codex backend): the
request rendered for that upstream as any Responses request is (its quirks, its login),
with the compaction_trigger put back last, or sent to its `/responses/compact`, on the
account the model's pool picks for the conversation (`pooled_call`). The upstream's
answer goes back as it came: it is the client's dialect already, and its compaction
item is the upstream's to read."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
from starlette.requests import Request as HttpRequest
from starlette.responses import Response

from dragoman.ir.request import Request
from dragoman.policy import is_auto
from dragoman.pools.sessions import session_headers, session_key
from dragoman.routing.registry import Route
from dragoman.server import key_models, local_auth
from dragoman.server.exchange import exchange_of
from dragoman.server.gateway import Gateway
from dragoman.server.pooled_call import on_pool, post_json
from dragoman.server.pooling import Attempt
from dragoman.server.send import login_of
from dragoman.server.upstream_call import UpstreamCall, prepare

RESPONSES = "openai_responses"
# What `/responses/compact` does not take (a non-streamed JSON endpoint that stores nothing).
NOT_COMPACT = ("stream", "store", "include", "stream_options", "background")
# (url, body) of the compaction call, from the call a generation would make.
Rewrite = Callable[[UpstreamCall], tuple[str, bytes]]


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
    def rewrite(call: UpstreamCall) -> tuple[str, bytes]:
        body = orjson.loads(call.content)
        body["input"] = [*body.get("input", []), item]
        return call.url, orjson.dumps(body)

    return await _forwarded(http, gateway, request, routes, rewrite)


async def compact(http: HttpRequest, gateway: Gateway, request: Request, routes: list[Route]) -> Response:
    def rewrite(call: UpstreamCall) -> tuple[str, bytes]:
        body = {key: value for key, value in orjson.loads(call.content).items() if key not in NOT_COMPACT}
        return call.url.removesuffix("/responses") + "/responses/compact", orjson.dumps(body)

    return await _forwarded(http, gateway, request, routes, rewrite)


async def _forwarded(
    http: HttpRequest, gateway: Gateway, request: Request, routes: list[Route], rewrite: Rewrite
) -> Response:
    exchange = exchange_of(http.scope)
    key_models.require(exchange.local_key, request.model, routes)
    found = session_key(session_headers(http.scope["headers"]), None, RESPONSES, local_auth.key_name(http))

    async def call(route: Route, attempt: Attempt) -> Response:
        prepared = prepare(route, request, http.headers, await login_of(gateway, route))
        url, content = rewrite(prepared)
        raw, media = await post_json(gateway, route, attempt, url, content, prepared.headers, prepared.target)
        return Response(raw, media_type=media)

    session = found.key if found else None
    return await on_pool(gateway, exchange, request.model, routes, session, "compact", call)

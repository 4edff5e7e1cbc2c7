"""One route per client endpoint. Each names its dialect, checks the local key, reads
the body, and hands the parsed request to the relay; every error is drawn in that
dialect at this edge."""

from __future__ import annotations

from dataclasses import replace
from functools import partial

from starlette.requests import Request as HttpRequest
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from dragoman import dialects
from dragoman.dialects.gemini import array_stream
from dragoman.ir.errors import NotFound
from dragoman.observe.web import routes as dashboard
from dragoman.policy.decide import error_headers_of
from dragoman.pools.sessions import SessionKey, session_headers, session_key
from dragoman.server import (
    auth_api,
    count_tokens,
    images,
    local_auth,
    message_batches,
    metrics_route,
    model_list,
    passthrough,
    readiness,
)
from dragoman.server.admin import adding, probe, traces, usage
from dragoman.server.admin import keys as admin_keys
from dragoman.server.admin import models as admin_models
from dragoman.server.admin import routes as admin
from dragoman.server.body import read_json
from dragoman.server.direct import DirectTable, direct_table
from dragoman.server.errors import error_response
from dragoman.server.exchange import exchange_of
from dragoman.server.gateway import Gateway
from dragoman.server.openapi import document as openapi
from dragoman.server.relay import relay
from dragoman.server.responses import compaction
from dragoman.server.responses import routes as stored_responses
from dragoman.server.streamed import StreamedResponse
from dragoman.server.unrouted import Asker, Handler, not_allowed, refusals

GEMINI_ACTIONS = {"generateContent": False, "streamGenerateContent": True}


def _guarded(dialect: Asker, handler: Handler) -> Handler:
    """Run `handler` after the key check, drawing any error in the request's dialect."""

    async def endpoint(http: HttpRequest) -> Response:
        name = dialect if isinstance(dialect, str) else dialect(http)
        exchange = exchange_of(http.scope)
        exchange.dialect = name
        try:
            local_auth.check(http, http.app.state.key_ring)
            return await handler(http)
        except Exception as error:
            answer = error_response(error, name)
            answer.headers.update(error_headers_of(exchange.routing))
            return answer

    return endpoint


def _generate(dialect: str) -> Handler:
    async def handler(http: HttpRequest) -> Response:
        gateway: Gateway = http.app.state.gateway
        exchange_of(http.scope).traced = True
        body = await read_json(http, gateway.settings.max_body_bytes)
        client = dialects.get(dialect)
        request = client.request.parse(body)
        session = partial(_session, http, body, dialect)
        exchange = exchange_of(http.scope)
        key = partial(local_auth.key_name, http)
        return await relay(gateway, client, request, exchange, http.headers, http.receive, session, key)

    return handler


async def _gemini(http: HttpRequest) -> Response:
    gateway: Gateway = http.app.state.gateway
    model, _, action = http.path_params["target"].rpartition(":")
    if action == "countTokens":
        return await count_tokens.gemini(http, model)
    exchange_of(http.scope).traced = True
    if action not in GEMINI_ACTIONS or not model:
        if not http.url.path.startswith("/v1beta/") and model_list.gemini_method(http.url.path) is None:
            # Under /v1/ only a Gemini method makes a POST Gemini's: any other is a model read's 405.
            raise not_allowed(http, ("GET",))
        raise NotFound(f"unknown Gemini method {http.path_params['target']!r}")
    body = await read_json(http, gateway.settings.max_body_bytes)
    client = dialects.get("gemini")
    request = client.request.parse(body, model=model, stream=GEMINI_ACTIONS[action])
    array = request.stream and http.query_params.get("alt") != "sse"
    if array:
        # Without alt=sse Google streams one JSON array, not SSE (gemini/array_stream.py).
        client = replace(client, stream=array_stream)
    session = partial(_session, http, body, "gemini")
    key = partial(local_auth.key_name, http)
    response = await relay(
        gateway, client, request, exchange_of(http.scope), http.headers, http.receive, session, key
    )
    if array and isinstance(response, StreamedResponse):
        response.headers["content-type"] = array_stream.CONTENT_TYPE
    return response


def _session(http: HttpRequest, body: object, dialect: str) -> SessionKey | None:
    """The conversation a request belongs to, scoped by the local key that sent it."""
    headers = session_headers(http.scope["headers"])
    return session_key(headers, body, dialect, local_auth.key_name(http))


async def _health(http: HttpRequest) -> Response:
    gateway: Gateway = http.app.state.gateway
    return JSONResponse({"status": "ok", "models": len(gateway.registry.model_ids())})


async def _hello(http: HttpRequest) -> Response:
    # Claude Code checks reachability with HEAD /api/hello.
    return Response(status_code=200)


def routes() -> list[BaseRoute]:
    """The served endpoints, then the refusals of the methods they do not take, the
    dashboard (`/ui`), then pass-through, which takes any other first path segment as a provider's name."""
    return route_table()[0]


def route_table() -> tuple[list[BaseRoute], DirectTable]:
    """`routes()`, and those of its endpoints reached by method and path alone (`direct`)."""
    endpoints = _endpoints()
    served = [
        Route(path, _guarded(dialect, handler) if guarded else handler, methods=list(methods))
        for path, methods, dialect, handler, guarded in endpoints
    ]
    own_errors = {route.endpoint for route, endpoint in zip(served, endpoints, strict=True) if endpoint[4]}
    listed = [(path, methods, dialect) for path, methods, dialect, _, _ in endpoints]
    own_segments = frozenset(path.split("/")[1] for path, _, _ in listed) | {"ui"}
    table = [
        *served,
        *refusals(listed),
        *dashboard.routes(),
        passthrough.PassthroughRoute(reserved=own_segments),
    ]
    return table, direct_table(table, own_errors)


def _stored_responses() -> list[tuple[str, tuple[str, ...], Asker, Handler, bool]]:
    one = "/v1/responses/{response_id}"
    return [
        ("/v1/responses/input_tokens", ("POST",), "openai_responses", count_tokens.responses, True),
        ("/v1/responses/compact", ("POST",), "openai_responses", compaction.compact, True),
        (one, ("GET",), "openai_responses", stored_responses.retrieve, True),
        (one, ("DELETE",), "openai_responses", stored_responses.delete, True),
        (f"{one}/cancel", ("POST",), "openai_responses", stored_responses.cancel, True),
        (f"{one}/input_items", ("GET",), "openai_responses", stored_responses.input_item_list, True),
    ]


def _batch_endpoints() -> list[tuple[str, tuple[str, ...], Asker, Handler, bool]]:
    batches, one = "/v1/messages/batches", "/v1/messages/batches/{batch_id}"
    return [
        (batches, ("POST",), "anthropic", message_batches.create, True),
        (batches, ("GET",), "anthropic", message_batches.listing, True),
        (one, ("GET",), "anthropic", message_batches.one, True),
        (one, ("DELETE",), "anthropic", message_batches.remove, True),
        (f"{one}/cancel", ("POST",), "anthropic", message_batches.cancel, True),
        (f"{one}/results", ("GET",), "anthropic", message_batches.results, True),
    ]


def _endpoints() -> list[tuple[str, tuple[str, ...], Asker, Handler, bool]]:
    # Starlette tries routes in order: the dialect endpoints, hit by every request, first.
    # (path, methods, dialect of its errors, handler, behind the local key)
    post, get = ("POST",), ("GET",)
    return [
        ("/v1/messages", post, "anthropic", _generate("anthropic"), True),
        ("/v1/chat/completions", post, "openai_chat", _generate("openai_chat"), True),
        ("/v1/responses", post, "openai_responses", stored_responses.create(_session), True),
        ("/healthz", get, model_list.asker, _health, False),
        ("/readyz", get, model_list.asker, readiness.ready, False),
        ("/api/hello", ("GET", "HEAD"), model_list.asker, _hello, False),
        ("/v1/messages/count_tokens", post, "anthropic", count_tokens.anthropic, True),
        ("/v1/images/generations", post, "openai_chat", images.generations, True),
        ("/v1/images/edits", post, "openai_chat", images.edits, True),
        *_stored_responses(),
        *_batch_endpoints(),
        ("/v1/models", get, model_list.asker, model_list.listing, True),
        ("/v1/models/{model:path}", get, model_list.asker, model_list.one, True),
        ("/v1beta/models", get, "gemini", model_list.listing, True),
        ("/v1/models/{target:path}", post, model_list.asker, _gemini, True),
        ("/v1beta/models/{target:path}", post, "gemini", _gemini, True),
        ("/v1beta/models/{model:path}", get, "gemini", model_list.one, True),
        ("/v1/status", get, model_list.asker, auth_api.status, True),
        ("/v1/auth/refresh", post, model_list.asker, auth_api.refresh, True),
        ("/v1/admin/accounts", get, "openai_chat", admin.listing, True),
        ("/v1/admin/accounts", post, "openai_chat", adding.add, True),
        ("/v1/admin/accounts/{label}", get, "openai_chat", admin.one, True),
        ("/v1/admin/accounts/{label}", ("PATCH",), "openai_chat", admin.patch, True),
        *(
            (f"/v1/admin/accounts/{{label}}/{action}", post, "openai_chat", admin.action(action), True)
            for action in admin.ACTIONS
        ),
        ("/v1/admin/accounts/{label}/test", post, "openai_chat", probe.try_account, True),
        ("/v1/admin/models", get, "openai_chat", admin_models.listing, True),
        ("/v1/admin/keys", get, "openai_chat", admin_keys.listing, True),
        ("/v1/admin/keys", post, "openai_chat", admin_keys.create, True),
        ("/v1/admin/keys/{name}", get, "openai_chat", admin_keys.one, True),
        ("/v1/admin/keys/{name}", ("PATCH",), "openai_chat", admin_keys.update, True),
        ("/v1/admin/keys/{name}", ("DELETE",), "openai_chat", admin_keys.revoke, True),
        ("/v1/admin/keys/{name}/rotate", post, "openai_chat", admin_keys.rotate, True),
        # Behind the key too, checked by the endpoint: a scrape is no client dialect's request.
        ("/metrics", get, model_list.asker, metrics_route.scrape, False),
        ("/v1/traces", get, model_list.asker, traces.listing, True),
        ("/v1/traces", ("DELETE",), model_list.asker, traces.purge, True),
        ("/v1/traces/stream", get, model_list.asker, traces.stream, True),
        ("/v1/traces/{trace_id}", get, model_list.asker, traces.one, True),
        ("/v1/usage", get, model_list.asker, usage.usage, True),
        ("/openapi.json", get, model_list.asker, openapi.serve, True),
    ]

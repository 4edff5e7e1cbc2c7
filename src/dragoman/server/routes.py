"""One route per client endpoint. Each names its dialect, checks the local key, reads
the body, and hands the parsed request to the relay; every error is drawn in that
dialect at this edge."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace

from starlette.requests import Request as HttpRequest
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from dragoman import dialects
from dragoman.dialects.gemini import array_stream
from dragoman.ir.errors import NotFound
from dragoman.server import auth_api, count_tokens, local_auth, model_list, passthrough
from dragoman.server.body import read_json
from dragoman.server.errors import error_response
from dragoman.server.exchange import exchange_of
from dragoman.server.gateway import Gateway
from dragoman.server.relay import relay
from dragoman.server.streamed import StreamedResponse

Handler = Callable[[HttpRequest], Awaitable[Response]]

GEMINI_ACTIONS = {"generateContent": False, "streamGenerateContent": True}


def _guarded(dialect: str | Callable[[HttpRequest], str], handler: Handler) -> Handler:
    """Run `handler` after the key check, drawing any error in the request's dialect."""

    async def endpoint(http: HttpRequest) -> Response:
        name = dialect if isinstance(dialect, str) else dialect(http)
        exchange_of(http.scope).dialect = name
        try:
            local_auth.check(http, http.app.state.local_keys)
            return await handler(http)
        except Exception as error:
            return error_response(error, name)

    return endpoint


def _generate(dialect: str) -> Handler:
    async def handler(http: HttpRequest) -> Response:
        gateway: Gateway = http.app.state.gateway
        body = await read_json(http, gateway.settings.max_body_bytes)
        client = dialects.get(dialect)
        request = client.request.parse(body)
        return await relay(gateway, client, request, exchange_of(http.scope), http.headers, http.receive)

    return handler


async def _gemini(http: HttpRequest) -> Response:
    gateway: Gateway = http.app.state.gateway
    model, _, action = http.path_params["target"].rpartition(":")
    if action == "countTokens":
        return await count_tokens.gemini(http, model)
    if action not in GEMINI_ACTIONS or not model:
        raise NotFound(f"unknown Gemini method {http.path_params['target']!r}")
    body = await read_json(http, gateway.settings.max_body_bytes)
    client = dialects.get("gemini")
    request = client.request.parse(body, model=model, stream=GEMINI_ACTIONS[action])
    array = request.stream and http.query_params.get("alt") != "sse"
    if array:
        # Without alt=sse Google streams one JSON array, not SSE (gemini/array_stream.py).
        client = replace(client, stream=array_stream)
    response = await relay(gateway, client, request, exchange_of(http.scope), http.headers, http.receive)
    if array and isinstance(response, StreamedResponse):
        response.headers["content-type"] = array_stream.CONTENT_TYPE
    return response


async def _health(http: HttpRequest) -> Response:
    gateway: Gateway = http.app.state.gateway
    return JSONResponse({"status": "ok", "models": len(gateway.registry.model_ids())})


async def _hello(http: HttpRequest) -> Response:
    # Claude Code checks reachability with HEAD /api/hello.
    return Response(status_code=200)


def routes() -> list[BaseRoute]:
    # Starlette tries routes in order: the dialect endpoints, hit by every request, first.
    return [
        Route("/v1/messages", _guarded("anthropic", _generate("anthropic")), methods=["POST"]),
        Route("/v1/chat/completions", _guarded("openai_chat", _generate("openai_chat")), methods=["POST"]),
        Route("/v1/responses", _guarded("openai_responses", _generate("openai_responses")), methods=["POST"]),
        Route("/healthz", _health, methods=["GET"]),
        Route("/api/hello", _hello, methods=["GET", "HEAD"]),
        Route("/v1/messages/count_tokens", _guarded("anthropic", count_tokens.anthropic), methods=["POST"]),
        Route("/v1/models", _guarded(model_list.asker, model_list.listing), methods=["GET"]),
        Route("/v1/models/{model:path}", _guarded(model_list.asker, model_list.one), methods=["GET"]),
        Route("/v1beta/models", _guarded("gemini", model_list.listing), methods=["GET"]),
        Route("/v1/models/{target:path}", _guarded("gemini", _gemini), methods=["POST"]),
        Route("/v1beta/models/{target:path}", _guarded("gemini", _gemini), methods=["POST"]),
        Route("/v1beta/models/{model:path}", _guarded("gemini", model_list.one), methods=["GET"]),
        Route("/v1/status", _guarded(model_list.asker, auth_api.status), methods=["GET"]),
        Route("/v1/auth/refresh", _guarded(model_list.asker, auth_api.refresh), methods=["POST"]),
        # Last, so that it never shadows an endpoint above: `/{provider}/...` is anything.
        Route("/{provider}/{path:path}", passthrough.passthrough, methods=passthrough.METHODS),
    ]

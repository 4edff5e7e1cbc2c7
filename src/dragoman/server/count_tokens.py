"""Count-tokens endpoints (Anthropic `/v1/messages/count_tokens`, Gemini `:countTokens`,
Responses `/v1/responses/input_tokens`).

The model must be served (so a typo is caught here too), or be `auto` (`dragoman.policy`).
The count is the upstream's own when the upstream serving the model counts
(`server.upstream_count`), else dragoman's offline estimate (`ir.tokens`), which clients
use to decide when to compact. No dialect has a field to say which: the answer's
`x-dragoman-token-count` header does (`upstream` or `estimate`).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request as HttpRequest
from starlette.responses import JSONResponse, Response

from dragoman import dialects
from dragoman.dialects.anthropic import count_tokens as anthropic_count
from dragoman.ir.errors import InvalidRequest
from dragoman.ir.request import Request
from dragoman.ir.tokens import estimate
from dragoman.policy import is_auto
from dragoman.server import key_models, local_auth
from dragoman.server.body import read_json
from dragoman.server.exchange import exchange_of
from dragoman.server.gateway import Gateway
from dragoman.server.responses.conversation import whole_conversation
from dragoman.server.upstream_count import upstream_count

HOW, UPSTREAM, ESTIMATE = "x-dragoman-token-count", "upstream", "estimate"


async def anthropic(http: HttpRequest) -> Response:
    gateway: Gateway = http.app.state.gateway
    body = await read_json(http, gateway.settings.max_body_bytes)
    request = anthropic_count.parse(body)
    exchange_of(http.scope).model = request.model
    _check_served(http, request.model)
    count, how = await _counted(http, request, body)
    return JSONResponse(anthropic_count.render(count), headers={HOW: how})


async def gemini(http: HttpRequest, model: str) -> Response:
    gateway: Gateway = http.app.state.gateway
    body = await read_json(http, gateway.settings.max_body_bytes)
    exchange_of(http.scope).model = model
    _check_served(http, model)
    request = dialects.get("gemini").request.parse(_generate_request(body), model=model)
    count, how = await _counted(http, request, body)
    return JSONResponse({"totalTokens": count}, headers={HOW: how})


async def responses(http: HttpRequest) -> Response:
    """`POST /v1/responses/input_tokens`: the request a `responses.create` would send,
    its `previous_response_id` replayed from the stored responses; `model` may be left out."""
    gateway: Gateway = http.app.state.gateway
    body = await read_json(http, gateway.settings.max_body_bytes)
    if not isinstance(body, dict):
        raise InvalidRequest("the request body must be a JSON object")
    model = body.get("model")
    if model is not None:
        exchange_of(http.scope).model = str(model)
        _check_served(http, str(model))
    if isinstance(body.get("previous_response_id"), str) and gateway.responses is not None:
        key = exchange_of(http.scope).key or ""
        body = await whole_conversation(gateway.responses, body, key)
    request = dialects.get("openai_responses").request.parse({**body, "model": model or "-"})
    count, how = await _counted(http, request, body) if model is not None else (estimate(request), ESTIMATE)
    return JSONResponse({"object": "response.input_tokens", "input_tokens": count}, headers={HOW: how})


async def _counted(http: HttpRequest, request: Request, body: object) -> tuple[int, str]:
    """(the count, how it was made: `upstream` or `estimate`)."""
    gateway: Gateway = http.app.state.gateway
    exchange, key = exchange_of(http.scope), local_auth.key_name(http)
    counted = await upstream_count(gateway, exchange, request, body, http.scope["headers"], key)
    return (counted, UPSTREAM) if counted is not None else (estimate(request), ESTIMATE)


def _check_served(http: HttpRequest, model: str) -> None:
    """ModelNotFound for a model not served; PermissionDenied for one the key may not use."""
    gateway: Gateway = http.app.state.gateway
    if not is_auto(model):
        routes = gateway.registry.resolve(model)
        key_models.require(exchange_of(http.scope).local_key, model, routes)


def _generate_request(body: Any) -> Any:
    """countTokens takes `contents` directly or a whole `generateContentRequest`."""
    if not isinstance(body, dict):
        raise InvalidRequest("the request body must be a JSON object")
    inner = body.get("generateContentRequest") or body.get("generate_content_request")
    return inner if isinstance(inner, dict) else body

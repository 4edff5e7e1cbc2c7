"""`POST /v1/images/generations`: to an upstream whose API generates images
(`ProviderSpec.images_path`) for a model marked `images`, on the account the model's
pool picks. OpenAI's and xAI's images APIs take the request as it is (the model renamed
to the upstream's id) and their answer comes back as it came; a Gemini image model is
asked through generateContent and its answer made OpenAI's (`images_gemini`). A model
that does not generate images is a 400 naming those that do here.

Only API-key upstreams: a subscription login (Codex's image tool) has no images API.
The answer's usage is not priced: image tokens have no row in the price table yet.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request as HttpRequest
from starlette.responses import JSONResponse, Response

from dragoman import dialects
from dragoman.ir.errors import InvalidRequest
from dragoman.providers.paths import path_safe_model
from dragoman.routing.registry import Route
from dragoman.server import images_gemini, key_models
from dragoman.server.body import read_json
from dragoman.server.exchange import exchange_of
from dragoman.server.gateway import Gateway
from dragoman.server.pooled_call import on_pool, post_json
from dragoman.server.pooling import Attempt


async def generations(http: HttpRequest) -> Response:
    gateway: Gateway = http.app.state.gateway
    exchange = exchange_of(http.scope)
    exchange.traced = True
    body = await read_json(http, gateway.settings.max_body_bytes)
    if not isinstance(body, dict):
        raise InvalidRequest("the request body must be a JSON object")
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise InvalidRequest(f"model: required. {_which(gateway)}", param="model")
    exchange.model = model
    routes = gateway.registry.resolve(model)
    key_models.require(exchange.local_key, model, routes)
    drawing = [route for route in routes if makes_images(route)]
    if not drawing:
        raise InvalidRequest(f"{model} does not generate images. {_which(gateway)}", param="model")
    return await _pooled(http, gateway, model, drawing, body)


def makes_images(route: Route) -> bool:
    upstream = route.upstream
    if upstream.spec.images_path is None or upstream.account_id is not None:
        return False
    return any(info.id == route.model and info.images for info in upstream.models)


def image_models(gateway: Gateway) -> list[str]:
    """The model ids a client may ask to generate images, as `dragoman models` lists them."""
    registry = gateway.registry
    entries = registry.entries()
    return [entry.id for entry in entries if any(makes_images(r) for r in registry.resolve(entry.id))]


def _which(gateway: Gateway) -> str:
    models = image_models(gateway)
    if not models:
        return "No model served here generates images: add an OpenAI, xAI or Gemini API provider."
    return "Models that generate images here: " + ", ".join(models) + "."


async def _pooled(
    http: HttpRequest, gateway: Gateway, model: str, routes: list[Route], body: dict[str, Any]
) -> Response:
    async def call(route: Route, attempt: Attempt) -> Response:
        upstream = route.upstream
        url = upstream.url(_images_path(route))
        headers = {**upstream.request_headers(), "content-type": "application/json"}
        target = dialects.get(upstream.dialect)
        if upstream.dialect == "gemini":
            content = orjson.dumps(images_gemini.request({**body, "model": route.model}))
            raw, _ = await post_json(gateway, route, attempt, url, content, headers, target)
            return JSONResponse(images_gemini.answer(raw, route.model))
        content = orjson.dumps({**body, "model": route.model})
        raw, media = await post_json(gateway, route, attempt, url, content, headers, target)
        return Response(raw, media_type=media)

    return await on_pool(gateway, exchange_of(http.scope), model, routes, None, "images", call)


def _images_path(route: Route) -> str:
    path = route.upstream.spec.images_path
    assert path is not None  # makes_images chose the route
    return path.format(model=path_safe_model(route.model)) if "{model}" in path else path

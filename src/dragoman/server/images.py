"""`POST /v1/images/generations` and `POST /v1/images/edits`: to an upstream whose API
makes images (`ProviderSpec.images_path`, `image_edits_path`) for a model marked
`images`, on the account the model's pool picks. OpenAI's and xAI's images APIs take the
request as it is (the model renamed to the upstream's id; an edit's form passed on with
its files byte for byte to OpenAI, made xAI's JSON for xAI: `images_xai`) and their
answer comes back as it came; a Gemini image model is
asked through generateContent and its answer made OpenAI's (`images_gemini`); a model
of a backend that draws with its hosted image tool (Codex, on a ChatGPT login) is asked
to draw through the relay (`images_tool`, generations only). A model that cannot is a
400 naming those that can here.

An images API answer's usage is not priced: image tokens have no row in the price table.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import orjson
from starlette.requests import Request as HttpRequest
from starlette.responses import JSONResponse, Response

from dragoman import dialects
from dragoman.ir.errors import InvalidRequest
from dragoman.providers.paths import path_safe_model
from dragoman.routing.registry import Route
from dragoman.server import images_gemini, images_tool, images_xai, key_models
from dragoman.server.body import read_json
from dragoman.server.exchange import Exchange, exchange_of
from dragoman.server.form import Form, encode, read_form
from dragoman.server.gateway import Gateway
from dragoman.server.pooled_call import on_pool, post_json
from dragoman.server.pooling import Attempt

# Kinds whose edits API takes JSON (the images as data URIs), not OpenAI's form: the
# form made that JSON. Their answer is OpenAI's shape already.
JSON_EDITS: dict[str, Callable[[Form], dict[str, Any]]] = {"xai": images_xai.edit_request}


async def generations(http: HttpRequest) -> Response:
    gateway: Gateway = http.app.state.gateway
    exchange = exchange_of(http.scope)
    exchange.traced = True
    body = await read_json(http, gateway.settings.max_body_bytes)
    if not isinstance(body, dict):
        raise InvalidRequest("the request body must be a JSON object")
    routes = _drawing(gateway, exchange, body.get("model"), edits=False)
    if not any(_has_api(route, edits=False) for route in routes):
        return await images_tool.generate(http, gateway, body)
    routes = [route for route in routes if _has_api(route, edits=False)]
    call = partial(_generate, gateway, body)
    return await on_pool(gateway, exchange, exchange.model or "", routes, None, "images", call)


async def edits(http: HttpRequest) -> Response:
    gateway: Gateway = http.app.state.gateway
    exchange = exchange_of(http.scope)
    exchange.traced = True
    form = await read_form(http, gateway.settings.max_body_bytes)
    routes = _drawing(gateway, exchange, form.fields.get("model"), edits=True)
    call = partial(_edit, gateway, form)
    return await on_pool(gateway, exchange, exchange.model or "", routes, None, "images", call)


def makes_images(route: Route, edits: bool = False) -> bool:
    """Whether the route's upstream makes images of its model: by an images API, or by
    its hosted image tool (generations only)."""
    upstream = route.upstream
    if not edits and upstream.spec.image_tool and upstream.dialect == "openai_responses":
        return any(info.id == route.model for info in upstream.models)
    return _has_api(route, edits)


def _has_api(route: Route, edits: bool) -> bool:
    """Whether the route's upstream has an images API for its model, with a key (a
    subscription login reaches no images API)."""
    upstream = route.upstream
    path = upstream.spec.image_edits_path if edits else upstream.spec.images_path
    if path is None or upstream.account_id is not None:
        return False
    return any(info.id == route.model and info.images for info in upstream.models)


def image_models(gateway: Gateway, edits: bool = False) -> list[str]:
    """The model ids a client may ask to generate (or edit) images, as `dragoman models` lists them."""
    registry = gateway.registry
    entries = registry.entries()
    return [entry.id for entry in entries if any(makes_images(r, edits) for r in registry.resolve(entry.id))]


def _drawing(gateway: Gateway, exchange: Exchange, model: object, edits: bool) -> list[Route]:
    """The routes of `model` that make images (edit them, with `edits`); a 400 if none."""
    if not isinstance(model, str) or not model:
        raise InvalidRequest(f"model: required. {_which(gateway, edits)}", param="model")
    exchange.model = model
    routes = gateway.registry.resolve(model)
    key_models.require(exchange.local_key, model, routes)
    drawing = [route for route in routes if makes_images(route, edits)]
    if not drawing:
        verb = "edit" if edits else "generate"
        raise InvalidRequest(f"{model} does not {verb} images. {_which(gateway, edits)}", param="model")
    return drawing


def _which(gateway: Gateway, edits: bool) -> str:
    models = image_models(gateway, edits)
    if models:
        return f"Models that {'edit' if edits else 'generate'} images here: " + ", ".join(models) + "."
    if edits:
        return "No model served here edits images: add an OpenAI, xAI or Gemini API provider."
    return (
        "No model served here generates images: "
        "add an OpenAI, xAI or Gemini API provider, or a ChatGPT login."
    )


async def _generate(gateway: Gateway, body: dict[str, Any], route: Route, attempt: Attempt) -> Response:
    upstream = route.upstream
    url = upstream.url(_path(upstream.spec.images_path, route.model))
    headers = {**upstream.request_headers(), "content-type": "application/json"}
    if upstream.dialect == "gemini":
        content = orjson.dumps(images_gemini.request({**body, "model": route.model}))
        raw, _ = await _post(gateway, route, attempt, url, content, headers)
        return JSONResponse(images_gemini.answer(raw, route.model))
    content = orjson.dumps({**body, "model": route.model})
    raw, media = await _post(gateway, route, attempt, url, content, headers)
    return Response(raw, media_type=media)


async def _edit(gateway: Gateway, form: Form, route: Route, attempt: Attempt) -> Response:
    upstream = route.upstream
    url = upstream.url(_path(upstream.spec.image_edits_path, route.model))
    renamed = Form({**form.fields, "model": route.model}, form.files)
    json_headers = {**upstream.request_headers(), "content-type": "application/json"}
    if upstream.dialect == "gemini":
        content = orjson.dumps(images_gemini.edit_request(renamed))
        raw, _ = await _post(gateway, route, attempt, url, content, json_headers)
        return JSONResponse(images_gemini.answer(raw, route.model))
    if upstream.spec.kind in JSON_EDITS:
        content = orjson.dumps(JSON_EDITS[upstream.spec.kind](renamed))
        raw, answered = await _post(gateway, route, attempt, url, content, json_headers)
        return Response(raw, media_type=answered)
    content, media = encode(renamed)
    headers = {**upstream.request_headers(), "content-type": media}
    raw, answered = await _post(gateway, route, attempt, url, content, headers)
    return Response(raw, media_type=answered)


async def _post(
    gateway: Gateway, route: Route, attempt: Attempt, url: str, content: bytes, headers: dict[str, str]
) -> tuple[bytes, str]:
    target = dialects.get(route.upstream.dialect)
    return await post_json(gateway, route, attempt, url, content, headers, target)


def _path(path: str | None, model: str) -> str:
    assert path is not None  # makes_images chose the route
    return path.format(model=path_safe_model(model)) if "{model}" in path else path

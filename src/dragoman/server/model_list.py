"""`GET /v1/models` and friends, answered in the shape of whoever asks.

`/v1/models` is shared by OpenAI, Anthropic and google-genai (whose default api
version is v1): the `anthropic-version` header marks Anthropic SDKs, a Gemini key
(`x-goog-api-key`, `?key=`) marks Google's.
"""

from __future__ import annotations

import importlib

from starlette.requests import Request as HttpRequest
from starlette.responses import JSONResponse, Response

from dragoman.dialects import DIALECTS
from dragoman.ir.errors import MethodNotAllowed, ModelNotFound
from dragoman.ir.models import ModelCard
from dragoman.server import key_models
from dragoman.server.exchange import exchange_of
from dragoman.server.gateway import Gateway

# The methods of a Gemini model (`models/NAME:METHOD`), all POST.
GEMINI_METHODS = frozenset({"generateContent", "streamGenerateContent", "countTokens"})


def gemini_method(path: str) -> str | None:
    """The Gemini method a path calls (`.../models/x:generateContent`), if any."""
    method = path.rpartition(":")[2]
    return method if method in GEMINI_METHODS and "/models/" in path else None


def asker(http: HttpRequest) -> str:
    """The dialect whose shape this model-list request expects."""
    if http.url.path.startswith("/v1beta/") or gemini_method(http.url.path):
        return "gemini"
    if "anthropic-version" in http.headers:
        return "anthropic"
    if "x-goog-api-key" in http.headers or "key" in http.query_params:
        return "gemini"
    return "openai_chat"


def _shape(http: HttpRequest):  # type: ignore[no-untyped-def]
    return importlib.import_module(f"{DIALECTS[asker(http)]}.models")


def cards(gateway: Gateway) -> list[ModelCard]:
    """Every model served, then `auto` and its profiles when they can answer."""
    registry = gateway.registry
    served = registry.cards()
    return served + gateway.policy.cards(registry, served)


def allowed_cards(http: HttpRequest) -> list[ModelCard]:
    """The models listed to this request: those its key may use (`server.key_models`)."""
    gateway: Gateway = http.app.state.gateway
    key = exchange_of(http.scope).local_key
    listed = cards(gateway)
    if key is None or not (key.models or key.deny):
        return listed
    return [card for card in listed if key_models.allowed(key, card.id)]


async def listing(http: HttpRequest) -> Response:
    return JSONResponse(_shape(http).render_list(allowed_cards(http)))


async def one(http: HttpRequest) -> Response:
    gateway: Gateway = http.app.state.gateway
    wanted = http.path_params["model"].removeprefix("models/")
    if gemini_method(http.url.path):
        raise MethodNotAllowed(f"{http.url.path} takes POST, not {http.method}", allow=("POST",))
    for card in allowed_cards(http):
        if card.id == wanted:
            return JSONResponse(_shape(http).render_one(card))
    raise ModelNotFound(
        f"model {wanted!r} is not served here. Models served: {', '.join(gateway.registry.model_ids())}"
    )

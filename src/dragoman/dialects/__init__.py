"""Wire formats, one package each, used for clients and upstreams alike.

Every dialect package has the same modules, and each module the same two directions:
`parse` (wire -> IR) and `render` (IR -> wire).

    wire.py      TypedDicts of the JSON shapes
    request.py   parse(body) -> ir.Request                     a client's request
                 render(request, *, model, origin) -> body     the request sent upstream
                 upstream_path(model, stream) -> str           path under the provider's base URL
    response.py  parse(body, *, origin) -> ir.Response         an upstream's whole answer
                 render(response, request) -> body             the answer a client receives
    stream.py    Parser(origin).feed(sse.Event) -> [ir.Event]  an upstream's stream
                 Parser.close() -> [ir.Event]                  end of the upstream's bytes
                 Renderer(request).render(ir.Event) -> bytes   the stream a client receives
                 Renderer.keepalive() -> bytes                 the dialect's own keep-alive
    error.py     parse(status, body, headers) -> GatewayError  an upstream's error answer
                 render(error) -> (status, body)               the error a client receives

`origin` names the upstream an answer came from, its provider kind and account
(`Upstream.origin`), so thinking signatures go back only to it (see `ir.reasoning`).

Where does a conversion live? X client -> Y upstream is `X.request.parse`, then
`Y.request.render`; Y's stream comes back through `Y.stream.Parser` and goes out
through `X.stream.Renderer`. `server/relay.py` joins them. For example Anthropic to
Responses streaming: `anthropic/stream.py:Renderer` fed by `openai_responses/stream.py:Parser`.

    dialect             client routes                                   upstream path
    openai_chat         POST /v1/chat/completions                       /chat/completions
    openai_responses    POST /v1/responses                              /responses
    anthropic           POST /v1/messages, /v1/messages/count_tokens    /messages
    gemini              POST /v1beta/models/{m}:generateContent,        /models/{m}:generateContent,
                        :streamGenerateContent, :countTokens (also /v1)   :streamGenerateContent?alt=sse

An upstream with a protocol of its own (Kiro) keeps modules of the same names in its
provider folder (`ProviderSpec.wire`, loaded by `private`); its `stream` may name its own
`MEDIA_TYPE` and `decoder(limit)` for a framing that is not SSE. No client speaks it.

A Gemini client's stream is SSE with `?alt=sse` and otherwise one streamed JSON array,
as Google sends it: `gemini/array_stream.py` is that second framing of `gemini/stream_render.py`.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cache
from types import ModuleType
from typing import Literal

DialectName = Literal["openai_chat", "openai_responses", "anthropic", "gemini"]

DIALECTS: dict[str, str] = {
    "openai_chat": "dragoman.dialects.openai_chat",
    "openai_responses": "dragoman.dialects.openai_responses",
    "anthropic": "dragoman.dialects.anthropic",
    "gemini": "dragoman.dialects.gemini",
}


@dataclass(frozen=True, slots=True)
class Dialect:
    name: str
    request: ModuleType
    response: ModuleType
    stream: ModuleType
    error: ModuleType


@cache
def get(name: str) -> Dialect:
    """The dialect of that name, its modules imported on first use."""
    return private(name, DIALECTS[name])


@cache
def private(name: str, package: str) -> Dialect:
    """A protocol only one upstream speaks (Kiro's), from the modules of the same names
    in `package` (its provider folder, `ProviderSpec.wire`). No client speaks it."""
    return Dialect(
        name=name,
        request=importlib.import_module(f"{package}.request"),
        response=importlib.import_module(f"{package}.response"),
        stream=importlib.import_module(f"{package}.stream"),
        error=importlib.import_module(f"{package}.error"),
    )

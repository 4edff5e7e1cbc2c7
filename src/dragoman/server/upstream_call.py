"""The HTTP request an upstream receives for an IR request: the render step of the
pipeline, kept pure so the relay and `dragoman test` build it the same way."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import orjson

from dragoman import dialects
from dragoman.dialects import Dialect
from dragoman.ir import Request
from dragoman.ir.names import constrain
from dragoman.routing.registry import Route


@dataclass(frozen=True, slots=True)
class UpstreamCall:
    url: str
    headers: dict[str, str]
    content: bytes
    target: Dialect
    # {upstream tool name: client tool name} for names the upstream would reject.
    client_names: dict[str, str]


def prepare(route: Route, request: Request, client_headers: Mapping[str, str] | None = None) -> UpstreamCall:
    upstream = route.upstream
    target = dialects.get(upstream.dialect)
    name_rule = getattr(target.request, "TOOL_NAMES", None)
    renamed, client_names = constrain(request, name_rule) if name_rule else (request, {})
    body = target.request.render(renamed, model=route.model, origin=upstream.name)
    if upstream.spec.fix_request is not None:
        # Quirks depend on the model actually called, not the alias the client used.
        body = upstream.spec.fix_request(body, replace(renamed, model=route.model))
    headers = {**upstream.request_headers(), "content-type": "application/json"}
    if client_headers and request.source == upstream.dialect:
        # Vendor feature flags (anthropic-beta) only mean something in their own dialect.
        for name in upstream.spec.forward_headers:
            value = client_headers.get(name)
            if value:
                headers[name] = value
    return UpstreamCall(
        url=upstream.url(target.request.upstream_path(route.model, request.stream)),
        headers=headers,
        content=orjson.dumps(body),
        target=target,
        client_names=client_names,
    )

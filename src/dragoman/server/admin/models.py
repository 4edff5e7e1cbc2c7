"""`GET /v1/admin/models`, behind the local key: what is served and by whom, for the
dashboard's Models page. `/v1/models` answers in a client's shape, which names one
owner per id and no aliases; this names every account in the order they serve it.

    {"models": [{"id": "fast", "alias_of": "gpt-4.1", "served_by": ["work", "home"],
                 "context_window": 1047576, "max_output_tokens": 32768, "display_name": null}],
     "fallback": "gpt-4.1"}
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request as HttpRequest
from starlette.responses import Response

from dragoman.routing.registry import Entry, Registry
from dragoman.server.admin.common import json
from dragoman.server.gateway import Gateway


async def listing(http: HttpRequest) -> Response:
    gateway: Gateway = http.app.state.gateway
    registry = gateway.registry
    models = [_model(registry, entry) for entry in registry.entries()]
    return json({"models": models, "fallback": gateway.settings.models.fallback})


def _model(registry: Registry, entry: Entry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "alias_of": entry.alias_of,
        "served_by": list(dict.fromkeys(route.upstream.name for route in registry.resolve(entry.id))),
        "context_window": entry.info.context_window,
        "max_output_tokens": entry.info.max_output_tokens,
        "display_name": entry.info.display_name,
    }

"""`GET /metrics`: Prometheus' scrape, behind the local key like every route.

Prometheus sends the key as a bearer token (`authorization: {credentials: KEY}` in its
scrape config). The key is checked here rather than by the dialect routes' guard, which
would count every scrape as a request of some client dialect. The format follows the
scraper's Accept header (Prometheus text, or OpenMetrics when asked for).
"""

from __future__ import annotations

from starlette.requests import Request as HttpRequest
from starlette.responses import Response

from dragoman.ir.errors import GatewayError
from dragoman.server import local_auth
from dragoman.server.errors import error_response
from dragoman.server.gateway import Gateway


async def scrape(http: HttpRequest) -> Response:
    try:
        local_auth.check(http, http.app.state.key_ring)
    except GatewayError as error:
        return error_response(error, "openai_chat")
    gateway: Gateway = http.app.state.gateway
    assert gateway.metrics is not None, "create_app gives every gateway its metrics"
    body, content_type = gateway.metrics.exposition(http.headers.get("accept"))
    return Response(body, headers={"content-type": content_type})

"""The outer ASGI layer: request ids, the access log and metrics, and the body size limit.

Pure ASGI rather than Starlette's BaseHTTPMiddleware, so streamed responses pass
through untouched and unbuffered.
"""

from __future__ import annotations

import logging
import os
import re
from time import perf_counter

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dragoman.observe.log import request_id
from dragoman.observe.metrics import Metrics
from dragoman.observe.otel import Spans
from dragoman.server.exchange import Exchange

access_log = logging.getLogger("dragoman.access")

# A client-chosen id is echoed and logged, so only a tame one is accepted.
_SAFE_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


class ExchangeMiddleware:
    def __init__(self, app: ASGIApp, metrics: Metrics | None = None, spans: Spans | None = None) -> None:
        self.app = app
        self.metrics = metrics
        self.spans = spans

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = _request_id(scope)
        token = request_id.set(rid)
        exchange = Exchange(request_id=rid, method=scope["method"], path=scope["path"])
        scope.setdefault("state", {})["exchange"] = exchange
        header = (b"x-request-id", rid.encode())

        async def send_and_count(message: Message) -> None:
            if message["type"] == "http.response.start":
                exchange.status = message["status"]
                exchange.ttfb = perf_counter() - exchange.started
                message["headers"] = [*message.get("headers", []), header]
            elif message["type"] == "http.response.body":
                exchange.bytes_out += len(message.get("body", b""))
            await send(message)

        metrics = self.metrics
        if metrics is not None:
            metrics.arrived()
        try:
            await self.app(scope, receive, send_and_count)
        finally:
            _log_access(exchange)
            if metrics is not None:
                metrics.record(exchange)
            if self.spans is not None:
                self.spans.record(exchange)
            request_id.reset(token)


def _request_id(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            candidate: str = value.decode("latin-1")
            if _SAFE_ID.match(candidate):
                return candidate
    # 128 random bits in hex, as uuid4().hex but without building a UUID per request.
    return os.urandom(16).hex()


def _log_access(exchange: Exchange) -> None:
    # A stream that did not end well is a warning, though its status says 200.
    ended = exchange.ended if exchange.stream else None
    level = logging.INFO if ended in (None, "ok") else logging.WARNING
    if not access_log.isEnabledFor(level):
        return
    route = exchange.model or "-"
    if exchange.provider:
        route += f" -> {exchange.provider}/{exchange.upstream_model}"
    access_log.log(
        level,
        "%s %s %d %s %s %.1fms in=%d out=%d%s%s",
        exchange.method,
        exchange.path,
        exchange.status,
        exchange.dialect or "-",
        route,
        exchange.latency_ms,
        exchange.bytes_in,
        exchange.bytes_out,
        f" account={exchange.provider} reason={exchange.reason}" if exchange.reason else "",
        f" stream {ended}" if ended else " stream" if exchange.stream else "",
        extra={
            "method": exchange.method,
            "path": exchange.path,
            "status": exchange.status,
            "dialect": exchange.dialect,
            "model": exchange.model,
            "provider": exchange.provider,
            "upstream_model": exchange.upstream_model,
            "account": exchange.provider if exchange.reason else None,
            "reason": exchange.reason,
            "latency_ms": round(exchange.latency_ms, 2),
            "bytes_in": exchange.bytes_in,
            "bytes_out": exchange.bytes_out,
            "stream": exchange.stream,
            "stream_end": ended,
        },
    )

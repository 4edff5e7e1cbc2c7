"""The outer ASGI layer: request ids, the access log and metrics, and the body size limit.

Pure ASGI rather than Starlette's BaseHTTPMiddleware, so streamed responses pass
through untouched and unbuffered.
"""

from __future__ import annotations

import logging
import os
import re
from time import perf_counter, time_ns
from typing import TYPE_CHECKING

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dragoman.observe.log import fields_wanted, request_id
from dragoman.observe.metrics import Metrics
from dragoman.observe.otel import Spans
from dragoman.server.exchange import Exchange

if TYPE_CHECKING:
    from dragoman.observe.traces.tracer import Tracer

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
        rid, agent = _request_id_and_agent(scope)
        token = request_id.set(rid)
        exchange = Exchange(request_id=rid, method=scope["method"], path=scope["path"], user_agent=agent)
        scope.setdefault("state", {})["exchange"] = exchange
        header = (b"x-request-id", rid.encode())
        tracer = _tracer(scope)
        if tracer is not None:
            exchange.bodies = tracer.bodies()

        async def send_and_count(message: Message) -> None:
            if message["type"] == "http.response.start":
                exchange.status = message["status"]
                message["headers"] = [*message.get("headers", []), header]
            elif message["type"] == "http.response.body":
                size = len(message.get("body", b""))
                if size and exchange.first_byte is None:
                    exchange.first_byte = perf_counter()
                exchange.bytes_out += size
                if not message.get("more_body", False):
                    await send(message)
                    # Traced once the last byte is handed to the transport, which writes it
                    # at once: the client does not wait for its trace, and with no await
                    # between, nothing else runs on this loop before the trace is kept (a
                    # client that has its answer finds its trace listed).
                    _trace(tracer, exchange, last_byte=True)
                    return
            await send(message)

        metrics = self.metrics
        if metrics is not None:
            metrics.arrived()
        try:
            await self.app(scope, receive, send_and_count)
        finally:
            _log_access(exchange)
            _trace(tracer, exchange, last_byte=False)
            if metrics is not None:
                metrics.record(exchange)
            if self.spans is not None:
                self.spans.record(exchange)
            request_id.reset(token)


def _request_id_and_agent(scope: Scope) -> tuple[str, str | None]:
    """The request's id (the client's, when tame) and its user agent, in one look."""
    rid: str | None = None
    agent: str | None = None
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            candidate: str = value.decode("latin-1")
            if _SAFE_ID.match(candidate):
                rid = candidate
        elif name == b"user-agent":
            agent = value.decode("latin-1")
    return rid or new_request_id(), agent


def new_request_id() -> str:
    """32 hex digits: the time in milliseconds (48 bits), then 80 random bits. Ids made
    later sort later, so the traces table's index on them grows at its end as traces
    are written, not at random places: with 100,000 traces kept, random ids cost SQLite
    41.6 µs a trace and these 16.6 (the trace writer's process, `sqlite_process`)."""
    return f"{time_ns() // 1_000_000:012x}{os.urandom(10).hex()}"


def _trace(tracer: Tracer | None, exchange: Exchange, last_byte: bool) -> None:
    """Hand a model request's trace to the tracer, once: as its last byte is sent, or
    when it ends without one (the client left, the answer was cut)."""
    if tracer is None or not exchange.traced:
        return
    exchange.traced = False
    if last_byte and exchange.stream and exchange.ended is None:
        exchange.ended = "ok"  # how a stream whose last byte is on its way ends
    tracer.finish(exchange)


def _tracer(scope: Scope) -> Tracer | None:
    app = scope.get("app")
    gateway = getattr(app.state, "gateway", None) if app is not None else None
    return gateway.tracer if gateway is not None else None


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
        extra=_access_fields(exchange, ended) if fields_wanted(access_log) else None,
    )


def _access_fields(exchange: Exchange, ended: str | None) -> dict[str, object]:
    """The access line's fields, for JSON lines and anyone capturing records."""
    return {
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
    }

"""Optional OpenTelemetry export: one span per request, over OTLP/HTTP.

Off unless `otel_endpoint` is set, and it needs the `otel` extra
(`pip install 'dragoman[otel]'`): without it the gateway says so once and serves on.
The span is made when the request has ended, from its Exchange, with the request's own
start and end times, and the SDK's batch processor exports spans from a thread of its
own: a request never waits for the collector, and a collector that is down costs
dropped spans, not requests. The exporter reads the usual `OTEL_EXPORTER_OTLP_*`
variables for anything more (headers, timeouts, compression).
"""

from __future__ import annotations

import logging
import time
from time import perf_counter
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from opentelemetry.sdk.trace.export import SpanExporter

    from dragoman.config import Settings
    from dragoman.server.exchange import Exchange

log = logging.getLogger("dragoman.otel")


class Spans:
    """Exports each finished request as a SERVER span named "METHOD dialect"."""

    def __init__(self, exporter: SpanExporter, service: str = "dragoman") -> None:
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
        from opentelemetry.trace import SpanKind, Status, StatusCode

        self._kind, self._error = SpanKind.SERVER, Status(StatusCode.ERROR)
        self.provider = TracerProvider(resource=Resource.create({"service.name": service}))
        self.provider.add_span_processor(BatchSpanProcessor(exporter))
        self.tracer = self.provider.get_tracer("dragoman")

    def record(self, exchange: Exchange) -> None:
        end = time.time_ns()
        start = end - int((perf_counter() - exchange.started) * 1e9)
        name = f"{exchange.method} {exchange.dialect or 'http'}"
        found = attributes(exchange)
        span = self.tracer.start_span(name, kind=self._kind, start_time=start, attributes=found)
        if exchange.status >= 500 or (exchange.ended or "ok") != "ok":
            span.set_status(self._error)
        span.end(end_time=end)

    def close(self) -> None:
        """Export what is still queued, then stop."""
        self.provider.shutdown()


def attributes(exchange: Exchange) -> dict[str, Any]:
    """The span's attributes: OpenTelemetry's HTTP and GenAI names where they exist."""
    found: dict[str, Any] = {
        "http.request.method": exchange.method,
        "url.path": exchange.path,
        "http.response.status_code": exchange.status,
        "dragoman.request_id": exchange.request_id,
        "dragoman.dialect": exchange.dialect,
        "gen_ai.request.model": exchange.model,
        "gen_ai.response.model": exchange.upstream_model,
        "dragoman.account": exchange.provider,
        "dragoman.reason": exchange.reason,
        "dragoman.stream": exchange.stream,
        "dragoman.stream_end": exchange.ended,
        "dragoman.ttfb_ms": None if exchange.ttfb is None else round(exchange.ttfb * 1000, 2),
        "dragoman.bytes_in": exchange.bytes_in,
        "dragoman.bytes_out": exchange.bytes_out,
        "dragoman.upstream_errors": [f"{account}: {rule}" for account, rule in exchange.upstream_errors],
    }
    usage = exchange.usage
    if usage is not None:
        found |= {
            "gen_ai.usage.input_tokens": usage.input_tokens,
            "gen_ai.usage.output_tokens": usage.output_tokens,
            "dragoman.usage.cache_read_tokens": usage.cache_read_tokens,
            "dragoman.usage.cache_write_tokens": usage.cache_write_tokens,
            "dragoman.usage.reasoning_tokens": usage.reasoning_tokens,
        }
    return {key: value for key, value in found.items() if value is not None and value != []}


def open_spans(settings: Settings) -> Spans | None:
    """The span export the settings ask for, or None."""
    if not settings.otel_endpoint:
        return None
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    except ImportError:
        log.warning("otel_endpoint is set but the otel extra is not installed: pip install 'dragoman[otel]'")
        return None
    return Spans(OTLPSpanExporter(endpoint=settings.otel_endpoint))

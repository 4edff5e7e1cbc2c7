"""OpenTelemetry export: a span per request, made from its Exchange and sent over
OTLP/HTTP to a collector (here a fake one that keeps what it is sent)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from dragoman.config import load
from dragoman.ir.usage import Usage
from dragoman.observe.otel import Spans, open_spans
from tests.fakes import Reply
from tests.fakes.fixtures import FakeUpstreams
from tests.fakes.script import Usage as FakeUsage
from tests.gateway import MODEL_OF, serve_gateway
from tests.observe.traces.timings import failed_over, started


class Collector(BaseHTTPRequestHandler):
    received: list[bytes]

    def do_POST(self) -> None:
        self.received.append(self.rfile.read(int(self.headers["content-length"])))
        self.send_response(200)
        self.send_header("content-type", "application/x-protobuf")
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def collector() -> Iterator[tuple[str, list[bytes]]]:
    received: list[bytes] = []
    handler = type("Handler", (Collector,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1/traces", received
    finally:
        server.shutdown()
        server.server_close()


def spans_in(bodies: list[bytes]) -> list[Any]:
    found = []
    for body in bodies:
        request = ExportTraceServiceRequest.FromString(body)
        found += [
            span
            for resource in request.resource_spans
            for scope in resource.scope_spans
            for span in scope.spans
        ]
    return found


def attribute(span: Any, key: str) -> Any:
    [value] = [item.value for item in span.attributes if item.key == key]
    return getattr(value, value.WhichOneof("value"))


def test_a_request_through_the_gateway_reaches_the_collector_as_a_span(
    fakes: FakeUpstreams, collector: tuple[str, list[bytes]]
) -> None:
    endpoint, received = collector
    fakes.anthropic.script(Reply(text="OK", usage=FakeUsage(input=100, output=40, cached=30)))
    body = {"model": MODEL_OF["anthropic"], "messages": [{"role": "user", "content": "hi"}]}
    before = time.time_ns()
    with serve_gateway(fakes, otel_endpoint=endpoint) as url:
        answer = httpx.post(url + "/v1/chat/completions", json=body, headers={"x-request-id": "trace-me"})
        assert answer.status_code == 200
    # The gateway's stop exports what is queued.
    [span] = [span for span in spans_in(received) if span.name == "POST openai_chat"]
    assert before <= span.start_time_unix_nano < span.end_time_unix_nano <= time.time_ns()
    assert attribute(span, "dragoman.request_id") == "trace-me"
    assert attribute(span, "http.response.status_code") == 200
    assert attribute(span, "gen_ai.response.model") == MODEL_OF["anthropic"]
    assert attribute(span, "dragoman.account") == "up_anthropic"
    assert attribute(span, "gen_ai.usage.input_tokens") == 100
    assert attribute(span, "dragoman.usage.cache_read_tokens") == 30
    request = ExportTraceServiceRequest.FromString(received[0])
    service = {item.key: item.value.string_value for item in request.resource_spans[0].resource.attributes}
    assert service["service.name"] == "dragoman"


async def test_a_failed_stream_is_an_error_span_naming_each_failed_try(tmp_path: Path) -> None:
    exporter = InMemorySpanExporter()
    spans = Spans(exporter)
    async with started(tmp_path) as gateway:
        exchange = failed_over(gateway)  # alice answered 529, bob served it
    exchange.first_byte = None
    exchange.status, exchange.ended, exchange.usage = 200, "upstream_error: overloaded", Usage(input_tokens=5)
    spans.record(exchange)
    spans.close()
    [span] = exporter.get_finished_spans()
    assert span.name == "POST openai_chat"
    assert not span.status.is_ok
    assert span.attributes is not None
    assert span.attributes["dragoman.upstream_errors"] == ("alice: overloaded",)
    assert span.attributes["dragoman.stream_end"] == "upstream_error: overloaded"
    assert "dragoman.ttfb_ms" not in span.attributes  # never sent a byte: no value, not a made-up one


def test_no_endpoint_no_spans() -> None:
    assert open_spans(load(overrides={})) is None
    spans = open_spans(load(overrides={"otel_endpoint": "http://127.0.0.1:4318/v1/traces"}))
    assert spans is not None
    spans.close()

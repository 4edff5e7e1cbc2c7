"""The access line says how a stream ended: `ok`, `upstream_error: <code>` or
`client_left`, at warning level when it did not end well (the status is 200 in each)."""

from __future__ import annotations

import asyncio
import io
import logging
import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import orjson
import pytest
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient
from starlette.types import Receive, Scope, Send

from dragoman import sse
from dragoman.observe.log import configure, fields_wanted
from dragoman.server.last_resort import GatewayApp
from dragoman.server.middleware import ExchangeMiddleware
from tests.fakes import Failure, Reply
from tests.fakes.fixtures import FakeUpstreams
from tests.fakes.server import FakeServer
from tests.gateway import MODEL_OF, providers_for, serve_gateway

CHAT = {"model": MODEL_OF["anthropic"], "messages": [{"role": "user", "content": "hi"}]}


@pytest.fixture
def gateway(fakes: FakeUpstreams) -> Iterator[str]:
    with serve_gateway(fakes) as url:
        yield url


@pytest.fixture
def access(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """The access records, as the gateway's thread writes them."""
    with caplog.at_level(logging.INFO, logger="dragoman.access"):
        yield caplog


def access_line(access: pytest.LogCaptureFixture) -> logging.LogRecord:
    """The one access record, waited for: it is written once the response is over."""
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        found = [record for record in access.records if record.name == "dragoman.access"]
        if found:
            [record] = found
            return record
        time.sleep(0.01)
    raise AssertionError("no access line was written")


def ending(record: logging.LogRecord) -> Any:
    return record.stream_end  # type: ignore[attr-defined]


def stream_chat(url: str) -> bytes:
    with httpx.stream("POST", url + "/v1/chat/completions", json={**CHAT, "stream": True}) as response:
        return b"".join(response.iter_raw())


def test_a_stream_that_ends_well_is_ok_at_info(
    gateway: str, fakes: FakeUpstreams, access: pytest.LogCaptureFixture
) -> None:
    stream_chat(gateway)
    record = access_line(access)
    assert (record.levelno, record.status, ending(record)) == (logging.INFO, 200, "ok")  # type: ignore[attr-defined]
    assert record.getMessage().endswith(" stream ok")


def test_an_upstream_error_event_is_logged_as_a_warning_with_its_code(
    gateway: str, fakes: FakeUpstreams, access: pytest.LogCaptureFixture
) -> None:
    fakes.anthropic.script(Reply(text="partial", error=Failure(529, "busy", mid_stream=True)))
    raw = stream_chat(gateway)
    assert b"busy" in raw
    record = access_line(access)
    assert (record.levelno, record.status) == (logging.WARNING, 200)  # type: ignore[attr-defined]
    assert ending(record) == "upstream_error: overloaded"
    assert record.getMessage().endswith(" stream upstream_error: overloaded")


async def error_then_silence(scope: Scope, receive: Receive, send: Send) -> None:
    """A Chat upstream whose error event comes in a read of its own, well before the end
    of its body: the relay's last batch is then empty."""
    chunk = {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m"}
    first = {**chunk, "choices": [{"index": 0, "delta": {"role": "assistant", "content": "hi"}}]}
    failure = {"error": {"message": "busy", "type": "rate_limit_error", "code": "rate_limited"}}
    await send(
        {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/event-stream")]}
    )
    for event in (first, failure):
        await send({"type": "http.response.body", "body": sse.encode(orjson.dumps(event)), "more_body": True})
        await asyncio.sleep(0.2)
    await send({"type": "http.response.body", "body": b""})


def test_an_error_event_well_before_the_end_of_the_body_is_still_seen(
    fakes: FakeUpstreams, access: pytest.LogCaptureFixture
) -> None:
    with FakeServer(error_then_silence) as upstream:
        provider = {
            "kind": "openai_compatible",
            "dialect": "openai_chat",
            "base_url": upstream.url,
            "models": ["m"],
        }
        with serve_gateway(fakes, providers={"slow": provider}) as url:
            body = {"model": "m", "stream": True, "messages": CHAT["messages"]}
            with httpx.stream("POST", url + "/v1/chat/completions", json=body) as response:
                assert b"busy" in b"".join(response.iter_raw())
            record = access_line(access)
    assert (record.levelno, ending(record)) == (logging.WARNING, "upstream_error: rate_limited")


def test_a_stream_the_upstream_cut_is_an_upstream_error(
    gateway: str, fakes: FakeUpstreams, access: pytest.LogCaptureFixture
) -> None:
    # Cut after text went out: a cut before any content is an HTTP error instead (the
    # handshake is held, so another account could still take the request).
    fakes.anthropic.script(Reply(text="a b c d e f", chunks=6, drop_after_chunks=6))
    stream_chat(gateway)
    record = access_line(access)
    assert record.levelno == logging.WARNING
    assert ending(record).startswith("upstream_error: ")


def test_a_client_that_left_mid_stream_is_client_left(
    gateway: str, fakes: FakeUpstreams, access: pytest.LogCaptureFixture
) -> None:
    fakes.anthropic.script(Reply(text="word " * 50, chunks=50, chunk_delay=0.05))
    with httpx.stream("POST", gateway + "/v1/chat/completions", json={**CHAT, "stream": True}) as response:
        next(response.iter_raw())
    record = access_line(access)
    assert (record.levelno, ending(record)) == (logging.WARNING, "client_left")
    assert record.getMessage().endswith(" stream client_left")


def test_a_whole_answer_has_no_stream_ending(
    gateway: str, fakes: FakeUpstreams, access: pytest.LogCaptureFixture
) -> None:
    httpx.post(gateway + "/v1/chat/completions", json=CHAT)
    record = access_line(access)
    assert (record.levelno, ending(record)) == (logging.INFO, None)
    assert "stream" not in record.getMessage()


def test_a_passed_through_stream_cut_by_its_deadline_is_an_upstream_error(
    fakes: FakeUpstreams, access: pytest.LogCaptureFixture
) -> None:
    fakes.openai_chat.script(Reply(text="a b c d e f", chunks=6, chunk_delay=0.3))
    providers = providers_for(fakes, total_timeout=0.5)
    body = {"model": MODEL_OF["openai_chat"], "stream": True, "messages": CHAT["messages"]}
    with serve_gateway(fakes, providers=providers) as url:
        with (
            pytest.raises(httpx.RemoteProtocolError),
            httpx.stream("POST", url + "/up_openai_chat/v1/chat/completions", json=body) as response,
        ):
            b"".join(response.iter_raw())
        record = access_line(access)
    assert (record.levelno, ending(record)) == (logging.WARNING, "upstream_error: upstream_timeout")


def test_a_passed_through_stream_that_ends_well_is_ok(
    gateway: str, fakes: FakeUpstreams, access: pytest.LogCaptureFixture
) -> None:
    body = {"model": MODEL_OF["openai_chat"], "stream": True, "messages": CHAT["messages"]}
    with httpx.stream("POST", gateway + "/up_openai_chat/v1/chat/completions", json=body) as response:
        b"".join(response.iter_raw())
    record = access_line(access)
    assert (record.levelno, ending(record)) == (logging.INFO, "ok")


def ok(request: Request) -> Response:
    return Response(b"{}", media_type="application/json")


def served_once(fmt: str, *, capture: logging.Handler | None = None) -> list[str]:
    """The lines `configure` writes for one request through the real middleware; with
    `capture`, another handler beside dragoman's own."""
    stream = io.StringIO()
    handler = configure("info", fmt, stream)
    if capture is not None:
        logging.getLogger().addHandler(capture)
    try:
        app = GatewayApp(routes=[Route("/v1/ok", ok)], middleware=[Middleware(ExchangeMiddleware)])
        assert TestClient(app).get("/v1/ok").status_code == 200
    finally:
        logging.getLogger().removeHandler(handler)
        if capture is not None:
            logging.getLogger().removeHandler(capture)
    return [line for line in stream.getvalue().splitlines() if "dragoman.access" in line]


class Kept(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_a_json_access_line_carries_its_fields() -> None:
    [line] = served_once("json")
    fields = orjson.loads(line)
    assert fields["message"].startswith("GET /v1/ok 200")
    assert {key: fields[key] for key in ("method", "path", "status", "stream")} == {
        "method": "GET",
        "path": "/v1/ok",
        "status": 200,
        "stream": False,
    }
    assert fields["latency_ms"] >= 0 and fields["bytes_out"] == 2


def shape(line: str) -> str:
    """A text line without what differs from request to request: clock, id, time taken."""
    return re.sub(r"\d\d:\d\d:\d\d\.\d{3}|\[[0-9a-f]{32}\]|[\d.]+ms", "", line)


def test_a_text_access_line_is_the_same_whether_or_not_another_handler_wants_the_fields() -> None:
    kept = Kept()
    [alone] = served_once("text")
    [beside] = served_once("text", capture=kept)
    assert shape(alone) == shape(beside) == " INFO     dragoman.access: GET /v1/ok 200 - -  in=0 out=2"
    [record] = [record for record in kept.records if record.name == "dragoman.access"]
    assert (record.path, record.status, record.stream_end) == ("/v1/ok", 200, None)  # type: ignore[attr-defined]


def test_fields_are_left_off_only_when_dragomans_text_handler_is_all_a_record_reaches() -> None:
    access = logging.getLogger("dragoman.access")
    handler = configure("info", "text", io.StringIO())
    try:
        assert not fields_wanted(access)
        kept = Kept()
        access.addHandler(kept)
        assert fields_wanted(access)
        access.removeHandler(kept)
    finally:
        logging.getLogger().removeHandler(handler)
    handler = configure("info", "json", io.StringIO())
    try:
        assert fields_wanted(access)
    finally:
        logging.getLogger().removeHandler(handler)

"""Client connections under `dragoman serve`'s own protocol (`uvicorn_config`), spoken to
with raw sockets: a slow-loris client is answered 408 and cut off, an idle one too, a
head over `max_header_bytes` gets a 431 and one under it an answer, a silent body a 408,
and connections past `max_connections` a 503, each in the request's dialect."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import orjson
import pytest

from dragoman.config import load
from dragoman.server.app import build_gateway, create_app
from dragoman.server.serving import GracefulServer, uvicorn_config
from tests.fakes import Reply
from tests.fakes.fixtures import FakeUpstreams
from tests.fakes.server import bind
from tests.gateway import MODEL_OF, providers_for

LIMITS = {
    "max_connections": 4,
    "max_header_bytes": 2048,
    "header_timeout_seconds": 1.0,
    "body_timeout_seconds": 1.0,
}


class ThreadServer(GracefulServer):
    """The served protocol and sweep, in a thread (signals belong to the main one)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@pytest.fixture
def port(fakes: FakeUpstreams) -> Iterator[int]:
    settings = load(overrides={**LIMITS, "providers": providers_for(fakes)})
    server = ThreadServer(uvicorn_config(create_app(build_gateway(settings, environ={})), settings))
    sock = bind(0)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the gateway did not start"
        time.sleep(0.005)
    try:
        yield sock.getsockname()[1]
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def connect(port: int) -> socket.socket:
    client = socket.create_connection(("127.0.0.1", port), timeout=5)
    return client


def answer(client: socket.socket) -> tuple[int, dict[str, str], Any, float]:
    """Everything the server sends until it closes: status, headers, JSON body, and the
    seconds it took to close. The client's end is closed too."""
    started = time.monotonic()
    data = b""
    with client:
        while chunk := client.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers, orjson.loads(body), time.monotonic() - started


def request_head(path: str, *extra: str) -> bytes:
    return "\r\n".join([f"GET {path} HTTP/1.1", "host: x", *extra, "", ""]).encode()


def test_a_slow_loris_client_gets_a_408_in_its_dialect_and_is_cut_off(port: int) -> None:
    client = connect(port)
    client.sendall(b"POST /v1/messages HTTP/1.1\r\nhost: x\r\n")
    client.settimeout(0.25)
    for _ in range(40):  # a header line every 0.25 s, until the server answers
        client.sendall(b"x-slow: 1\r\n")
        with contextlib.suppress(TimeoutError):
            if first := client.recv(65536, socket.MSG_PEEK):
                break
    assert first
    client.settimeout(5)
    status, headers, body, _ = answer(client)
    assert status == 408
    assert headers["connection"] == "close"
    assert body["type"] == "error"  # Anthropic's shape, from the path
    assert "header_timeout_seconds" in body["error"]["message"]


def test_a_connection_that_never_sends_is_closed_after_the_header_timeout(port: int) -> None:
    client = connect(port)
    status, _, body, waited = answer(client)
    assert status == 408
    assert "error" in body  # Chat's shape: nothing told another dialect
    assert waited < 1.0 + 1.0 + 1.0  # the timeout, the sweep's second, slack


def test_a_head_over_the_limit_is_a_431_before_it_is_all_sent(port: int) -> None:
    client = connect(port)
    client.sendall(b"POST /v1/responses HTTP/1.1\r\nhost: x\r\nx-big: ")
    client.settimeout(0.05)
    for _ in range(1000):  # up to 1 MB offered, far past 2 KiB, until the server answers
        client.sendall(b"a" * 1024)
        with contextlib.suppress(TimeoutError):
            if first := client.recv(65536, socket.MSG_PEEK):
                break
    assert first
    client.settimeout(5)
    status, headers, body, _ = answer(client)
    assert status == 431
    assert headers["connection"] == "close"
    assert body["error"]["code"] == "request_headers_too_large"  # the Responses shape
    assert "max_header_bytes" in body["error"]["message"]


def test_a_head_under_the_limit_is_served_even_with_a_body_in_the_same_read(port: int) -> None:
    padding = "x-pad: " + "p" * 1500
    client = connect(port)
    body = b"{" + b" " * 8000 + b"}"  # a large body sent with the head, in one write
    head = "\r\n".join(
        ["POST /v1/chat/completions HTTP/1.1", "host: x", padding, f"content-length: {len(body)}", "", ""]
    )
    client.sendall(head.encode() + body)
    status = int(client.recv(65536).split(b" ", 2)[1])
    assert status == 400  # the body's fault (no model), not the head's
    client.close()


def test_a_body_that_stops_coming_is_a_408(port: int) -> None:
    client = connect(port)
    head = "POST /v1/messages HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\n"
    client.sendall(head.encode() + b'{"model": ')
    status, _, body, waited = answer(client)
    assert status == 408
    assert "body_timeout_seconds" in body["error"]["message"]
    assert waited < 3.0


def test_kept_alive_requests_are_not_timed_out_between_them(port: int) -> None:
    client = connect(port)
    for _ in range(3):
        client.sendall(request_head("/v1/models"))
        assert client.recv(65536).startswith(b"HTTP/1.1 200")
        time.sleep(0.7)  # under the keep-alive time; the three together outlast header_timeout
    client.close()


def test_connections_past_the_limit_get_a_503_in_their_dialect(port: int) -> None:
    held = [connect(port) for _ in range(4)]
    time.sleep(0.2)  # all four accepted
    extra = connect(port)
    extra.sendall(request_head("/v1beta/models"))
    status, headers, body, _ = answer(extra)
    assert status == 503
    assert headers["retry-after"] == "1"
    assert body["error"]["status"] == "UNAVAILABLE"  # Gemini's shape
    assert "max_connections" in body["error"]["message"]
    for client in held:
        client.close()
    time.sleep(0.2)
    again = connect(port)
    again.sendall(request_head("/v1/models"))
    assert again.recv(65536).startswith(b"HTTP/1.1 200")
    again.close()


def test_a_slow_request_sent_ahead_never_cuts_into_the_answer_streaming_before_it(
    port: int, fakes: FakeUpstreams
) -> None:
    fakes.openai_chat.script(Reply(text="one two three four", chunks=4, chunk_delay=0.6))
    body = orjson.dumps(
        {"model": MODEL_OF["openai_chat"], "stream": True, "messages": [{"role": "user", "content": "hi"}]}
    )
    lines = ["POST /v1/chat/completions HTTP/1.1", "host: x", "content-type: application/json"]
    head = "\r\n".join([*lines, f"content-length: {len(body)}", "", ""])
    client = connect(port)
    # The next request's head, begun and never finished, rides behind the first.
    client.sendall(head.encode() + body + b"GET /v1/models HTTP/1.1\r\nhost: x\r\n")
    data = b""
    with client:
        while chunk := client.recv(65536):
            data += chunk
    assert data.startswith(b"HTTP/1.1 200")
    assert b"[DONE]" in data
    assert b"HTTP/1.1 408" in data[data.index(b"[DONE]") :]  # only after the answer ended

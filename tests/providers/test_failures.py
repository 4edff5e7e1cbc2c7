"""Every way an upstream connection can fail reaches the client as a plain sentence, in
its dialect, streamed or not, before or after the first byte, whichever pool carried it;
the library's own words (class names, errno, reprs) go to the log only.

Each case is a local server misbehaving on the wire (tests/providers/local_servers.py),
reached directly (aiohttp), or by httpx: through a SOCKS5 proxy, which hands the bytes
on as they are, or over https as HTTP/2 is.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import re
import socket
import struct
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
import httpx
import pytest

from dragoman.config import load
from dragoman.providers import aiohttp_pool, failures
from dragoman.providers.upstream import Upstream, build_upstreams
from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import serve_gateway
from tests.providers.local_servers import Answer, LocalServer, Seen
from tests.providers.proxies import Socks5Proxy

CHUNK = b'data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m",'
CHUNK += b'"choices":[{"index":0,"delta":{"content":"partial"},"finish_reason":null}]}\n\n'
WHOLE_START = b'{"id":"c1","object":"chat.completion","created":1,"model":"m","choices":['
# What a library's own words look like: a class name, a repr, an errno.
INTERNALS = re.compile(r"[A-Za-z]+(Error|Exception)\b|<|errno|Errno|\[\d+\]")

Write = Callable[[asyncio.StreamWriter], Awaitable[None]]


def head(content_type: str, *extra: str, length: int | None = None) -> bytes:
    framing = f"content-length: {length}" if length is not None else "transfer-encoding: chunked"
    lines = ["HTTP/1.1 200 OK", f"content-type: {content_type}", framing, *extra, "", ""]
    return "\r\n".join(lines).encode()


def chunked(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


def streamed(seen: Seen) -> bool:
    return b'"stream":true' in seen.body.replace(b" ", b"")


def answer(first: Callable[[bool], bytes], then: Write) -> Answer:
    """Write `first(stream)` (what arrives before the failure), then fail with `then`."""

    async def respond(seen: Seen, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(first(streamed(seen)))
        await writer.drain()
        await then(writer)

    return respond


def partial_body(stream: bool) -> bytes:
    if stream:
        return head("text/event-stream") + chunked(CHUNK)
    return head("application/json", length=1000) + WHOLE_START


async def reset(writer: asyncio.StreamWriter) -> None:
    # SO_LINGER 0: the close is a TCP reset, not an orderly end.
    writer.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


async def close(writer: asyncio.StreamWriter) -> None:
    writer.close()


async def stall(writer: asyncio.StreamWriter) -> None:
    await asyncio.sleep(5)


def corrupt_gzip(stream: bool) -> bytes:
    garbage = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + b"not deflate data at all" * 4
    kind = "text/event-stream" if stream else "application/json"
    return head(kind, "content-encoding: gzip", length=len(garbage)) + garbage


def nothing(stream: bool) -> bytes:
    return b""


class PlainSpeaker:
    """A server that answers a TLS hello with plain HTTP, as a misconfigured port does."""

    def __init__(self) -> None:
        self.url = ""
        self._server: asyncio.Server | None = None

    async def __aenter__(self) -> PlainSpeaker:
        self._server = await asyncio.start_server(self._speak, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    async def _speak(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n")
        await writer.drain()
        writer.close()


@dataclass(frozen=True)
class Case:
    """A misbehaving upstream, and the plain words the client must get for it."""

    server: Answer | type[PlainSpeaker] | None  # None: no server at all
    says: str
    begun: bool = False  # the answer had begun: a stream is 200, its error an event
    host: str = ""  # instead of the server's address
    provider: dict[str, Any] | None = None
    logged: bool = True  # the library said more than the client reads


HALF_SECOND = {"read_timeout": 0.5}
BROKEN = {
    "reset-mid-body": Case(answer(partial_body, reset), "flaky closed the connection mid-answer", True),
    "truncated-body": Case(answer(partial_body, close), "flaky closed the connection mid-answer", True),
    # No content decodes, so nothing reaches the client: the relay holds a stream until its
    # first content, and a failure before it is an HTTP error (another account may serve).
    "corrupt-gzip": Case(answer(corrupt_gzip, stall), "flaky sent a corrupt compressed body"),
    "closed-before-answering": Case(answer(nothing, close), "it closed the connection before answering"),
    "malformed-head": Case(
        answer(lambda _: b"HTTP/1.1 OK-ish\r\n\r\n", close), "it sent a malformed HTTP answer"
    ),
    "silent-mid-body": Case(
        answer(partial_body, stall),
        "flaky stopped sending for 0.5 s",
        True,
        provider=HALF_SECOND,
        logged=False,
    ),
    "silent-before-head": Case(
        answer(nothing, stall), "flaky did not answer in time", provider=HALF_SECOND, logged=False
    ),
}
NOT_CONNECTED = {
    "refused": Case(None, "the connection was refused"),
    "unknown-host": Case(None, "its host name could not be resolved", host="no-such-host.invalid:1"),
    "tls-to-plain-http": Case(PlainSpeaker, "the TLS handshake failed"),
}
# aiohttp: reached directly. httpx: through a SOCKS5 proxy that passes the bytes on as
# they are, or (for a connection that never opens) directly over https, as HTTP/2 is.
CASES = [
    *(
        pytest.param(case, pool, id=f"{name}-{pool}")
        for name, case in BROKEN.items()
        for pool in ("aiohttp", "socks5")
    ),
    *(
        pytest.param(case, pool, id=f"{name}-{pool}")
        for name, case in NOT_CONNECTED.items()
        for pool in ("aiohttp", "http2")
    ),
    pytest.param(Case(None, "the connection through its proxy failed"), "socks5", id="proxy-hangs-up"),
    pytest.param(
        Case(None, "its proxy could not connect to it", host="no-such-host.invalid:1"),
        "socks5",
        id="proxy-refuses",
    ),
]


@asynccontextmanager
async def upstream_at(case: Case, pool: str) -> AsyncIterator[dict[str, Any]]:
    """The provider table for `case`, its server (and proxy) running meanwhile."""
    async with AsyncExitStack() as stack:
        url = f"http://{case.host or f'127.0.0.1:{free_port()}'}"
        if case.server is PlainSpeaker:
            url = (await stack.enter_async_context(PlainSpeaker())).url
        elif case.server is not None:
            url = (await stack.enter_async_context(LocalServer(case.server))).url
        table = {
            "kind": "openai_compatible",
            "base_url": url + "/v1",
            "models": ["m"],
            **(case.provider or {}),
        }
        if pool == "socks5":
            table["proxy"] = stack.enter_context(Socks5Proxy()).url
        elif pool == "http2" or case.server is PlainSpeaker:
            table["base_url"] = table["base_url"].replace("http://", "https://")
            table["http2"] = pool == "http2"
        yield table


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def ask(url: str, stream: bool) -> tuple[int, str]:
    body = {"model": "m", "stream": stream, "messages": [{"role": "user", "content": "hi"}]}
    async with httpx.AsyncClient(timeout=20) as client:
        response = await client.post(url + "/v1/chat/completions", json=body)
    return response.status_code, response.text


@pytest.mark.parametrize(("case", "pool"), CASES)
async def test_a_failing_upstream_is_told_in_plain_words(
    fakes: FakeUpstreams, caplog: pytest.LogCaptureFixture, case: Case, pool: str
) -> None:
    caplog.set_level(logging.DEBUG, logger="dragoman")
    async with upstream_at(case, pool) as table:
        with serve_gateway(fakes, providers={"flaky": table}, detect_ollama=False) as url:
            whole_status, whole = await ask(url, stream=False)
            stream_status, stream = await ask(url, stream=True)
    assert whole_status >= 500, whole
    assert stream_status == 200 if case.begun else stream_status >= 500, stream
    for text in (whole, stream):
        assert case.says in text, text
        assert not INTERNALS.search(text), text
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name == "dragoman.upstream")
    if case.logged:
        assert case.says in logged and INTERNALS.search(logged), "the library's detail belongs in the log"


def upstream() -> Upstream:
    table = {"kind": "openai_compatible", "base_url": "http://127.0.0.1:9/v1", "api_key": "sk-fail-0000000"}
    return build_upstreams(load(overrides={"providers": {"p": table}}), environ={})[0]


def test_an_unreachable_network_is_told_by_its_errno() -> None:
    error = aiohttp.ClientOSError(errno.ENETUNREACH, "Network is unreachable")
    told = failures.unreachable(upstream(), "http://10.0.0.1:1/v1", error, aiohttp_pool.BEFORE)
    assert told == "p is unreachable at http://10.0.0.1:1: the network has no route to it"


def test_an_error_no_table_knows_still_reads_plainly(caplog: pytest.LogCaptureFixture) -> None:
    class Odd(Exception):
        pass

    target = upstream()
    before = failures.unreachable(target, target.base_url, Odd("key sk-fail-0000000 went <odd>"))
    during = failures.dropped(target, Odd("again"))
    assert (before, during) == (
        "p is unreachable at http://127.0.0.1:9: the connection failed",
        "p closed the connection mid-answer",
    )
    logged = caplog.records[0].getMessage()
    assert "Odd: key" in logged and "<odd>" in logged, "the detail is logged"
    assert "sk-fail-0000000" not in logged, "and redacted"

"""An upstream's answer is read up to the provider's `max_answer_bytes` and no further:
past it the client gets a 502 naming the limit, and the rest is never read. A stream is
read chunk by chunk, so only one event must fit: a line that never ends is cut too.
"""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from dragoman import sse
from dragoman.config import ConfigError, load
from dragoman.ir.errors import UpstreamError
from dragoman.providers.http import UpstreamClients, read_all
from dragoman.providers.upstream import Upstream, build_upstreams
from tests.fakes import Reply
from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import serve_gateway
from tests.providers.local_servers import LocalServer, Seen

CAP = 4096
MEBIBYTE = 1024 * 1024
# What the server offers: far more than the cap, and more than socket buffers hold.
OFFERED = 64 * MEBIBYTE


class Flood:
    """A server answering with `OFFERED` bytes of body: `first`, then `fill` over and
    over; it counts what it managed to write before the client hung up."""

    def __init__(self, framing: str, kind: str = "application/json", first: bytes = b"", fill: bytes = b"x"):
        self.framing, self.kind, self.first, self.fill = framing, kind, first, fill
        self.written = 0

    async def __call__(self, seen: Seen, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        length = f"content-length: {OFFERED}" if self.framing == "length" else "transfer-encoding: chunked"
        writer.write(f"HTTP/1.1 200 OK\r\ncontent-type: {self.kind}\r\n{length}\r\n\r\n".encode())
        block = self.first or self.fill
        try:
            while self.written < OFFERED:
                writer.write(block if self.framing == "length" else b"%x\r\n%b\r\n" % (len(block), block))
                await writer.drain()
                self.written += len(block)
                block = self.fill * (65536 // len(self.fill))
        except ConnectionError:
            return


def upstream(url: str, **provider: Any) -> Upstream:
    table = {"kind": "openai_compatible", "base_url": url, "max_answer_bytes": CAP, **provider}
    return build_upstreams(load(overrides={"providers": {"big": table}}), environ={})[0]


@pytest.fixture
async def clients() -> AsyncIterator[UpstreamClients]:
    pool = UpstreamClients()
    yield pool
    await pool.aclose()


@pytest.mark.parametrize("framing", ["length", "chunked"])
async def test_a_whole_answer_is_read_up_to_the_cap_and_no_further(
    clients: UpstreamClients, framing: str
) -> None:
    flood = Flood(framing)
    async with LocalServer(flood) as server:
        target = upstream(server.url)
        with pytest.raises(UpstreamError, match=r"^big sent an answer over its limit of 4,096 bytes"):
            async with clients.stream(target, "GET", server.url + "/x", content=None, headers={}) as answer:
                await read_all(target, answer)
    assert flood.written < OFFERED / 4, "the rest was left unread"


async def test_the_cap_counts_the_decoded_bytes(clients: UpstreamClients) -> None:
    packed = gzip.compress(b"0" * (CAP * 50))
    assert len(packed) < CAP

    async def small_but_swelling(
        seen: Seen, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        head = f"HTTP/1.1 200 OK\r\ncontent-encoding: gzip\r\ncontent-length: {len(packed)}\r\n\r\n"
        writer.write(head.encode() + packed)
        await writer.drain()

    async with LocalServer(small_but_swelling) as server:
        target = upstream(server.url)
        with pytest.raises(UpstreamError, match="4,096 bytes"):
            async with clients.stream(target, "GET", server.url + "/x", content=None, headers={}) as answer:
                await read_all(target, answer)


async def test_an_answer_within_the_cap_is_read_whole(clients: UpstreamClients) -> None:
    body = b"y" * CAP

    async def exact(seen: Seen, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n%b" % (len(body), body))
        await writer.drain()

    async with LocalServer(exact) as server:
        target = upstream(server.url)
        async with clients.stream(target, "GET", server.url + "/x", content=None, headers={}) as answer:
            assert await read_all(target, answer) == body


@pytest.mark.parametrize("size", [CAP, CAP + 1])
async def test_a_body_received_with_its_head_is_taken_whole_and_still_capped(
    clients: UpstreamClients, size: int
) -> None:
    """A small answer arrives in the packets of its head, here chunked (no length to check
    first): it is taken in one piece, and the cap holds for it all the same."""
    body = b"z" * size

    async def at_once(seen: Seen, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
        writer.write(head + b"%x\r\n%b\r\n0\r\n\r\n" % (len(body), body))
        await writer.drain()

    async with LocalServer(at_once) as server:
        target = upstream(server.url)
        async with clients.stream(target, "GET", server.url + "/x", content=None, headers={}) as answer:
            await asyncio.sleep(0.05)  # the whole body in aiohttp's buffer
            if size > CAP:
                with pytest.raises(UpstreamError, match="4,096 bytes"):
                    await read_all(target, answer)
            else:
                assert answer.received_whole() == body
                assert answer.finished()


def test_the_cap_is_64_mib_unless_a_provider_says_otherwise() -> None:
    assert upstream("http://127.0.0.1:9").max_answer_bytes == CAP
    table = {"kind": "openai_compatible", "base_url": "http://127.0.0.1:9"}
    [default] = build_upstreams(load(overrides={"providers": {"p": table}}), environ={})
    assert default.max_answer_bytes == 64 * MEBIBYTE
    with pytest.raises(ConfigError, match=r"providers\.p\.max_answer_bytes"):
        load(overrides={"providers": {"p": {**table, "max_answer_bytes": 0}}})


async def ask(url: str, stream: bool) -> httpx.Response:
    body = {"model": "m", "max_tokens": 5, "stream": stream, "messages": [{"role": "user", "content": "hi"}]}
    async with httpx.AsyncClient(timeout=30) as client:
        return await client.post(url + "/v1/messages", json=body, headers={"anthropic-version": "2023-06-01"})


@pytest.mark.parametrize("framing", ["length", "chunked"])
async def test_the_client_gets_a_502_in_its_dialect_naming_the_limit(
    fakes: FakeUpstreams, framing: str
) -> None:
    flood = Flood(framing)
    async with LocalServer(flood) as server:
        table = {
            "kind": "openai_compatible",
            "base_url": server.url,
            "models": ["m"],
            "max_answer_bytes": CAP,
        }
        with serve_gateway(fakes, providers={"big": table}, detect_ollama=False) as url:
            response = await ask(url, stream=False)
    assert response.status_code == 502
    error = response.json()
    assert error["type"] == "error" and error["error"]["type"] == "api_error", "Anthropic's error shape"
    assert "over its limit of 4,096 bytes (max_answer_bytes)" in error["error"]["message"]
    assert flood.written < OFFERED / 4


@pytest.mark.parametrize(
    ("first", "fill"),
    [(b"data: ", b"x"), (b"", b"data: x\n")],
    ids=["one-line-that-never-ends", "one-event-that-never-ends"],
)
async def test_a_stream_event_that_never_ends_is_cut_at_the_cap(
    fakes: FakeUpstreams, first: bytes, fill: bytes
) -> None:
    flood = Flood("chunked", "text/event-stream", first, fill)
    async with LocalServer(flood) as server:
        table = {
            "kind": "openai_compatible",
            "base_url": server.url,
            "models": ["m"],
            "max_answer_bytes": CAP,
        }
        with serve_gateway(fakes, providers={"big": table}, detect_ollama=False) as url:
            response = await ask(url, stream=True)
    # Before any content nothing has reached the client (the handshake is held for a
    # failover): a real HTTP error in the client's shape rather than an error event.
    assert response.status_code == 502
    assert response.json()["error"]["type"] == "api_error", "Anthropic's error shape"
    assert "big sent a stream event over its limit of 4,096 bytes (max_answer_bytes)" in response.text
    assert flood.written < OFFERED / 4


def test_the_stream_cap_is_per_event_never_on_the_whole_stream() -> None:
    decoder = sse.Decoder(64, lambda: UpstreamError("too large"))
    events = [event for _ in range(1000) for event in decoder.feed(b"data: hello\n\nevent: e\ndata:x\n\n")]
    assert len(events) == 2000
    with pytest.raises(UpstreamError, match="too large"):
        decoder.feed(b"data:" + b"y" * 40 + b"\ndata:" + b"z" * 40 + b"\n")


def test_a_long_stream_of_small_events_passes_a_small_cap(fakes: FakeUpstreams) -> None:
    text = " ".join(f"word{n}" for n in range(2000))
    fakes.anthropic.script(Reply(text=text, chunks=200))
    table = {
        "kind": "openai_compatible", "dialect": "anthropic", "base_url": fakes.anthropic.base_url,
        "api_key": fakes.anthropic.key, "models": ["m"], "max_answer_bytes": CAP,
    }  # fmt: skip
    body = {"model": "m", "max_tokens": 5, "stream": True, "messages": [{"role": "user", "content": "hi"}]}
    with serve_gateway(fakes, providers={"big": table}, detect_ollama=False) as url:
        response = httpx.post(url + "/v1/messages", json=body, headers={"anthropic-version": "2023-06-01"})
    assert len(response.content) > 4 * CAP
    assert "event: error" not in response.text and "message_stop" in response.text

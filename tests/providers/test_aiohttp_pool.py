"""The aiohttp pool behaves as a gateway, not a browser, against real local servers.

Each server records what reached it on the wire (tests/providers/local_servers.py), so
what the pool sends, and which connection carried it, is seen from the server's side.
"""

from __future__ import annotations

import asyncio
import gzip
import socket
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

import pytest

from dragoman.config import load
from dragoman.ir.errors import RequestTooLarge, UpstreamTimeout, UpstreamUnreachable
from dragoman.providers.aiohttp_pool import MAX_HEADER_BYTES
from dragoman.providers.http import Content, UpstreamClients, read_all
from dragoman.providers.upstream import Upstream, build_upstreams
from tests.fakes import Reply
from tests.fakes.fixtures import FakeUpstreams
from tests.providers.local_servers import LocalServer, Seen, TlsSniffer, always, response
from tests.providers.proxies import HttpProxy, Socks5Proxy


def upstream(base_url: str, name: str = "local", **provider: Any) -> Upstream:
    table = {"kind": "openai_compatible", "base_url": base_url, **provider}
    return build_upstreams(load(overrides={"providers": {name: table}}), environ={})[0]


async def exchange(
    clients: UpstreamClients,
    target: Upstream,
    method: str = "GET",
    path: str = "/v1/models",
    *,
    content: Content = None,
    headers: dict[str, str] | None = None,
    raw: bool = False,
) -> tuple[int, Mapping[str, str], bytes]:
    """One whole exchange: (status, headers, body)."""
    answer = await clients.open(
        target, method, target.url(path), content=content, headers=headers or {}, raw=raw
    )
    try:
        return answer.status_code, answer.headers, await read_all(target, answer)
    finally:
        await answer.aclose()


@pytest.fixture
async def clients() -> AsyncIterator[UpstreamClients]:
    pool = UpstreamClients()
    yield pool
    await pool.aclose()


async def wait_for(condition: Callable[[], bool], seconds: float = 2.0) -> None:
    async with asyncio.timeout(seconds):
        while not condition():
            await asyncio.sleep(0.01)


# -- which pool carries which upstream ------------------------------------------------------------


async def test_a_plain_http_upstream_is_carried_by_aiohttp(clients: UpstreamClients) -> None:
    async with LocalServer(always(response(body=b"ok"))) as server:
        status, _, body = await exchange(clients, upstream(server.url))
    assert (status, body) == (200, b"ok")
    assert "aiohttp/" in (server.requests[0].header("user-agent") or "")
    assert clients._httpx is None  # httpx is never even set up for it


async def test_an_https_upstream_is_offered_http2_through_httpx(clients: UpstreamClients) -> None:
    async with TlsSniffer() as sniffer:
        with pytest.raises(UpstreamUnreachable, match="local is unreachable"):
            await exchange(clients, upstream(f"https://127.0.0.1:{sniffer.port}"))
    # aiohttp cannot speak HTTP/2: only the httpx pool offers it.
    assert [sorted(offer) for offer in sniffer.offers] == [[b"h2", b"http/1.1"]]


async def test_an_https_upstream_with_http2_off_is_carried_by_aiohttp(clients: UpstreamClients) -> None:
    async with TlsSniffer() as sniffer:
        with pytest.raises(UpstreamUnreachable, match="local is unreachable"):
            await exchange(clients, upstream(f"https://127.0.0.1:{sniffer.port}", http2=False))
    assert sniffer.offers == [[b"http/1.1"]]
    assert clients._httpx is None


async def test_an_upstream_behind_a_proxy_is_carried_by_httpx(clients: UpstreamClients) -> None:
    async with LocalServer(always(response(body=b"proxied"))) as server:
        with HttpProxy() as proxy:
            target = upstream(server.url, proxy=proxy.url)
            assert (await exchange(clients, target))[2] == b"proxied"
    [forwarded] = proxy.forwarded
    assert forwarded.target == server.url + "/v1/models"
    assert forwarded.headers["user-agent"].startswith("python-httpx/")


async def test_an_https_upstream_with_http2_off_behind_a_proxy_still_takes_the_proxy(
    clients: UpstreamClients,
) -> None:
    async with TlsSniffer() as sniffer:
        with Socks5Proxy() as proxy:
            target = upstream(f"https://127.0.0.1:{sniffer.port}", http2=False, proxy=proxy.url)
            with pytest.raises(UpstreamUnreachable):
                await exchange(clients, target)
    assert [(f.host, f.port) for f in proxy.forwarded] == [("127.0.0.1", sniffer.port)]
    assert sniffer.offers == [[b"http/1.1"]]


# -- a gateway, not a browser -----------------------------------------------------------------------


async def test_a_cookie_set_by_the_upstream_is_never_sent_back(clients: UpstreamClients) -> None:
    cookie = ("set-cookie", "session=one-clients-secret; Path=/")
    async with LocalServer(always(response(headers=[cookie], body=b"{}"))) as server:
        # By name: a browser's cookie jar would keep nothing for a bare IP address.
        target = upstream(server.url.replace("127.0.0.1", "localhost"))
        await exchange(clients, target)
        await exchange(clients, target, "POST", "/v1/chat/completions", content=b"{}")
    assert [seen.header("cookie") for seen in server.requests] == [None, None]


async def test_a_redirect_reaches_the_caller_with_its_location(clients: UpstreamClients) -> None:
    moved = response(302, [("location", "/v1/elsewhere")], b"moved")
    async with LocalServer(always(moved)) as server:
        status, headers, body = await exchange(clients, upstream(server.url))
    assert (status, headers["location"], body) == (302, "/v1/elsewhere", b"moved")
    assert [seen.target for seen in server.requests] == ["/v1/models"]


@pytest.mark.parametrize(
    "path",
    [
        "/v1/files/a%2Fb/c%3Ad",
        "/v1/x?z=2&a=1&z=1&empty=&q=a%20b+c",
        "/v1/models/gemini%3AgenerateContent?alt=sse",
        "/v1/odd/%7Euser/%2f/%41",
    ],
)
async def test_the_url_is_sent_as_written(clients: UpstreamClients, path: str) -> None:
    async with LocalServer(always(response())) as server:
        await exchange(clients, upstream(server.url), path=path)
    assert server.requests[0].target == path


async def test_a_gzip_body_is_relayed_compressed_when_raw_and_decoded_otherwise(
    clients: UpstreamClients,
) -> None:
    plain = b'{"data": "' + b"squeeze " * 500 + b'"}'
    packed = gzip.compress(plain)
    async with LocalServer(always(response(headers=[("content-encoding", "gzip")], body=packed))) as server:
        target = upstream(server.url)
        raw = await exchange(clients, target, raw=True)
        decoded = await exchange(clients, target)
    assert raw[2] == packed
    assert decoded[2] == plain
    assert raw[1]["content-encoding"] == "gzip"


async def chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


@pytest.mark.parametrize(
    ("method", "content", "framing"),
    [
        ("GET", None, {"content-length": None, "transfer-encoding": None}),
        ("POST", b"", {"content-length": "0", "transfer-encoding": None}),
        ("POST", b"\x00\x01bytes", {"content-length": "7", "transfer-encoding": None}),
        ("POST", "stream", {"content-length": None, "transfer-encoding": "chunked"}),
    ],
)
async def test_no_content_type_is_added_to_a_body_sent_without_one(
    clients: UpstreamClients, method: str, content: Any, framing: dict[str, str | None]
) -> None:
    body = chunks(b"one ", b"two") if content == "stream" else content
    async with LocalServer(always(response())) as server:
        await exchange(clients, upstream(server.url), method, content=body)
    [seen] = server.requests
    assert seen.header("content-type") is None
    assert {name: seen.header(name) for name in framing} == framing
    assert seen.body == (b"one two" if content == "stream" else content or b"")


async def test_a_content_type_given_is_sent_unchanged(clients: UpstreamClients) -> None:
    label = "application/json; charset=UTF-8"
    async with LocalServer(always(response())) as server:
        await exchange(clients, upstream(server.url), "POST", content=b"{}", headers={"Content-Type": label})
    assert server.requests[0].header("content-type") == label


async def test_repeated_headers_are_kept_both_ways(clients: UpstreamClients) -> None:
    """A pass-through sends the client's headers as a list (lower-cased, as ASGI gives
    them) and returns the upstream's as they came: no repeat may be merged or lost."""
    head = response(headers=[("X-Request-ID", "r1"), ("set-cookie", "a=1"), ("Set-Cookie", "b=2")])
    sent = [("anthropic-beta", "one"), ("anthropic-beta", "two"), ("x-trace", "t")]
    async with LocalServer(always(head)) as server:
        target = upstream(server.url)
        answer = await clients.open(target, "POST", target.url("/v1/x"), content=b"{}", headers=sent)
        returned = answer.raw_headers()
        await answer.aclose()
    assert [item for item in server.requests[0].headers if item[0] in ("anthropic-beta", "x-trace")] == sent
    assert returned[1:] == [(b"X-Request-ID", b"r1"), (b"set-cookie", b"a=1"), (b"Set-Cookie", b"b=2")]


async def test_long_response_headers_are_accepted(clients: UpstreamClients) -> None:
    long = "x" * 20_000
    assert len(long) < MAX_HEADER_BYTES
    async with LocalServer(always(response(headers=[("x-long", long)], body=b"ok"))) as server:
        status, headers, body = await exchange(clients, upstream(server.url))
    assert (status, headers["x-long"], body) == (200, long, b"ok")


# -- connections ------------------------------------------------------------------------------------


async def test_a_connection_is_reused_once_its_body_was_read(clients: UpstreamClients) -> None:
    async with LocalServer(always(response(body=b"whole"))) as server:
        target = upstream(server.url)
        for _ in range(3):
            assert (await exchange(clients, target))[2] == b"whole"
    assert len(server.ports) == 1
    assert [seen.port for seen in server.requests] == server.ports * 3


async def test_a_half_read_response_closes_its_connection(clients: UpstreamClients) -> None:
    async def first_part_then_wait(
        seen: Seen, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        if len(server.requests) > 1:
            writer.write(response(body=b"second"))
            return
        writer.write(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nfirst\r\n")
        await writer.drain()
        await reader.read(1)  # the rest never comes; returns once the client hangs up

    async with LocalServer(first_part_then_wait) as server:
        target = upstream(server.url)
        answer = await clients.open(target, "GET", target.url("/v1/a"), content=None, headers={})
        assert await anext(answer.chunks()) == b"first"
        await answer.aclose()
        assert (await exchange(clients, target))[2] == b"second"
        await wait_for(lambda: server.closed == server.ports[:1])
    assert len(server.ports) == 2
    assert [seen.port for seen in server.requests] == server.ports


# -- failures -------------------------------------------------------------------------------------


@pytest.mark.parametrize("sent_first", [b"", b"0123456789"], ids=["at-once", "mid-body"])
@pytest.mark.parametrize("pool", ["aiohttp", "httpx"])
async def test_a_gateway_error_from_the_request_body_comes_out_unchanged(
    clients: UpstreamClients, pool: str, sent_first: bytes
) -> None:
    too_large = RequestTooLarge("request body over 10 bytes")

    async def body() -> AsyncIterator[bytes]:
        if sent_first:
            yield sent_first
        raise too_large

    async with LocalServer(always(response())) as server:
        with HttpProxy() as proxy:
            target = upstream(server.url, proxy=proxy.url if pool == "httpx" else None)
            with pytest.raises(RequestTooLarge) as raised:
                async with clients.stream(target, "POST", target.url("/v1/x"), content=body(), headers={}):
                    pass
    assert raised.value is too_large
    assert server.requests == []  # the upstream never got a whole request


def chat_upstream(fakes: FakeUpstreams, name: str, **provider: Any) -> Upstream:
    return upstream(fakes.openai_chat.base_url, name, api_key=fakes.openai_chat.key, **provider)


async def chat(clients: UpstreamClients, target: Upstream) -> bytes:
    body = b'{"model": "gpt-4o-mini", "stream": true, "messages": [{"role": "user", "content": "hi"}]}'
    headers = {**target.request_headers(), "content-type": "application/json"}
    return (await exchange(clients, target, "POST", "/chat/completions", content=body, headers=headers))[2]


async def test_silence_mid_body_is_a_timeout_naming_the_provider(
    clients: UpstreamClients, fakes: FakeUpstreams
) -> None:
    fakes.openai_chat.script(Reply(text="one two three", chunks=3, chunk_delay=1.5))
    target = chat_upstream(fakes, "sleepy", read_timeout=0.3)
    started = asyncio.get_running_loop().time()
    with pytest.raises(UpstreamTimeout, match=r"^sleepy stopped sending for 0\.3 s$"):
        await chat(clients, target)
    assert asyncio.get_running_loop().time() - started < 1.2


async def test_an_upstream_cut_mid_stream_closed_the_connection(
    clients: UpstreamClients, fakes: FakeUpstreams
) -> None:
    fakes.openai_chat.script(Reply(text="one two three", chunks=3, drop_after_chunks=1))
    with pytest.raises(UpstreamUnreachable, match=r"^cutter closed the connection mid-answer$"):
        await chat(clients, chat_upstream(fakes, "cutter"))


@pytest.mark.parametrize(
    "partial",
    [
        b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nonly ten b",
        b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nfirst\r\n",
    ],
    ids=["content-length", "chunked"],
)
async def test_a_body_cut_short_closed_the_connection(clients: UpstreamClients, partial: bytes) -> None:
    async def cut(seen: Seen, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(partial)
        await writer.drain()
        writer.close()

    async with LocalServer(cut) as server:
        with pytest.raises(UpstreamUnreachable, match=r"^local closed the connection mid-answer$"):
            await exchange(clients, upstream(server.url))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_a_refused_connection_names_the_address_never_the_credentials(
    clients: UpstreamClients,
) -> None:
    port = free_port()
    target = upstream(f"http://someone:hunter2-secret@127.0.0.1:{port}/v1", "closed")
    with pytest.raises(UpstreamUnreachable) as raised:
        await exchange(clients, target)
    message = str(raised.value)
    assert message == f"closed is unreachable at http://127.0.0.1:{port}: the connection was refused"
    assert "hunter2" not in message
    assert "someone" not in message


# -- a kept-alive connection the upstream hung up on ----------------------------------------------


def hangs_up_after_the_first_answer() -> Any:
    """Answers the first request, then resets its connection as the next request starts
    to arrive: a server closing an idle connection just as it is reused."""
    answered: list[int] = []

    async def answer(seen: Seen, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(response(body=b"ok"))
        await writer.drain()
        if not answered:
            answered.append(seen.port)
            await reader.read(1)
            writer.transport.abort()

    return answer


async def test_a_request_the_upstream_hung_up_on_before_taking_it_is_sent_again(
    clients: UpstreamClients,
) -> None:
    # More than the socket buffers hold, so the write meets the reset; under aiohttp's
    # 1 MiB warning for a body given as bytes.
    big = b"x" * ((1 << 20) - 1)
    async with LocalServer(hangs_up_after_the_first_answer()) as server:
        target = upstream(server.url)
        first = await exchange(clients, target, "POST", "/v1/chat/completions", content=b"{}")
        second = await exchange(clients, target, "POST", "/v1/chat/completions", content=big)
    assert first[0] == second[0] == 200
    assert len(server.ports) == 2  # the reset connection, then a new one
    assert [len(seen.body) for seen in server.requests] == [2, len(big)]

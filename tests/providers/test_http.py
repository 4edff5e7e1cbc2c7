"""Outbound HTTP: client options per upstream, proxies (HTTP and SOCKS5, provider-level and
global), and the three timeouts, against the fake upstreams and proxies running on loopback."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from dragoman.config import ConfigError, load
from dragoman.ir.errors import UpstreamTimeout, UpstreamUnreachable
from dragoman.observe.redact import redact
from dragoman.providers.http import UpstreamClients, iter_body
from dragoman.providers.httpx_pool import client_options
from dragoman.providers.upstream import Upstream, build_upstreams
from tests.fakes import Reply
from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import MODEL_OF, providers_for, serve_gateway
from tests.providers.proxies import HttpProxy, QuietProxy, Socks5Proxy

CHAT = {"model": MODEL_OF["openai_chat"], "messages": [{"role": "user", "content": "hi"}]}


def upstream(settings: dict[str, Any] | None = None, **provider: Any) -> Upstream:
    table = {"kind": "openai_compatible", "base_url": "https://api.example.com/v1", **provider}
    loaded = load(overrides={**(settings or {}), "providers": {"p": table}})
    return build_upstreams(loaded, environ={})[0]


def chat_upstream(fakes: FakeUpstreams, settings: dict[str, Any] | None = None, **provider: Any) -> Upstream:
    fake = fakes.openai_chat
    return upstream(settings, base_url=fake.base_url, api_key=fake.key, **provider)


async def chat(clients: UpstreamClients, target: Upstream, *, stream: bool = False) -> tuple[int, bytes]:
    """One Chat Completions exchange through `clients`: (status, whole body)."""
    headers = {**target.request_headers(), "content-type": "application/json"}
    body = httpx.Request("POST", "http://x", json={**CHAT, "stream": stream}).content
    async with clients.stream(
        target, "POST", target.url("/chat/completions"), content=body, headers=headers
    ) as r:
        return r.status_code, b"".join([chunk async for chunk in iter_body(target, r)])


# -- the client each upstream gets --------------------------------------------------------------


def test_http2_only_towards_https_base_urls() -> None:
    assert client_options(upstream())["http2"] is True
    assert client_options(upstream(base_url="http://127.0.0.1:8080/v1"))["http2"] is False
    assert client_options(upstream(http2=False))["http2"] is False


@pytest.mark.parametrize(
    ("base_url", "http2", "expected"),
    [("https://api.example.com/v1", True, True), ("http://127.0.0.1:1/v1", True, False)],
)
async def test_the_created_client_negotiates_http2_as_configured(
    base_url: str, http2: bool, expected: bool
) -> None:
    target = upstream(base_url=base_url, http2=http2)
    clients = UpstreamClients()
    transport = clients.client(target)._transport_for_url(httpx.URL(target.base_url))
    assert transport._pool._http2 is expected  # type: ignore[attr-defined]
    await clients.aclose()


def test_timeouts_come_from_the_provider_table() -> None:
    target = upstream(connect_timeout=2.5, read_timeout=42, total_timeout=99)
    timeout = client_options(target)["timeout"]
    assert (timeout.connect, timeout.read) == (2.5, 42)
    assert target.total_timeout == 99
    assert upstream().total_timeout == 3600
    assert client_options(upstream())["timeout"].connect == 10


def test_the_provider_proxy_wins_over_the_global_one() -> None:
    assert upstream({"proxy": "http://global:3128"}).proxy == "http://global:3128"
    assert upstream({"proxy": "http://global:3128"}, proxy="socks5://mine:1080").proxy == "socks5://mine:1080"
    assert upstream({"proxy": "http://global:3128"}, proxy="").proxy is None  # "" = direct
    assert upstream().proxy is None


@pytest.mark.parametrize("where", ["global", "provider"])
@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("ftp://proxy:21", "a proxy URL starts with http://"),
        ("proxy.example:3128", "a proxy URL starts with http://"),
        ("http://", "names no host"),
        ("socks5://proxy:99999", "not a valid URL"),
    ],
)
def test_a_bad_proxy_url_is_refused_at_load_naming_the_key(where: str, url: str, problem: str) -> None:
    key = "proxy" if where == "global" else "providers.p.proxy"
    provider = {"kind": "openai_compatible", "base_url": "http://x/v1"}
    overrides = {"proxy": url} if where == "global" else {"providers": {"p": {**provider, "proxy": url}}}
    with pytest.raises(ConfigError) as raised:
        load(overrides=overrides)
    line = next(line for line in str(raised.value).splitlines() if problem in line)
    assert line.strip().startswith(f"{key}:")


@pytest.mark.parametrize("scheme", ["http", "https", "socks5", "socks5h"])
def test_every_supported_proxy_scheme_loads(scheme: str) -> None:
    assert upstream(proxy=f"{scheme}://127.0.0.1:1080").proxy == f"{scheme}://127.0.0.1:1080"


def test_proxy_credentials_are_never_logged() -> None:
    upstream({"proxy": "http://global-user:gl0bal-pass@proxy:3128"}, proxy="socks5://me:s3cr%40t-pw@proxy:1")
    assert "gl0bal-pass" not in redact("407 from http://global-user:gl0bal-pass@proxy:3128")
    assert "s3cr" not in redact("proxy me:s3cr%40t-pw refused; password s3cr@t-pw")


def test_a_bad_proxy_url_never_appears_in_the_error() -> None:
    with pytest.raises(ConfigError) as raised:
        load(overrides={"proxy": "ftp://user:hunter22@proxy:21"})
    assert "hunter22" not in str(raised.value)


# -- proxies on the wire -------------------------------------------------------------------------


async def test_an_http_proxy_carries_the_provider_requests(fakes: FakeUpstreams) -> None:
    fakes.openai_chat.script(Reply(text="via proxy"))
    with HttpProxy(require=("user", "pass-word")) as proxy:
        target = chat_upstream(fakes, proxy=proxy.url_with("user", "pass-word"))
        clients = UpstreamClients()
        status, body = await chat(clients, target)
        await clients.aclose()
    assert status == 200
    assert b"via proxy" in body
    [forwarded] = proxy.forwarded
    assert forwarded.method == "POST"
    assert forwarded.target == fakes.openai_chat.base_url + "/chat/completions"
    # The proxy saw the stored credential go by, and the fake received it.
    assert forwarded.headers["authorization"] == f"Bearer {fakes.openai_chat.key}"
    assert fakes.openai_chat.last.header("authorization") == f"Bearer {fakes.openai_chat.key}"


async def test_wrong_proxy_credentials_are_an_upstream_error(fakes: FakeUpstreams) -> None:
    with HttpProxy(require=("user", "right-pass")) as proxy:
        clients = UpstreamClients()
        status, _ = await chat(clients, chat_upstream(fakes, proxy=proxy.url_with("user", "wrong-pass")))
        await clients.aclose()
    assert status == 407
    assert not fakes.openai_chat.requests


@pytest.mark.parametrize("scheme", ["socks5", "socks5h"])
async def test_a_socks5_proxy_carries_the_provider_requests(fakes: FakeUpstreams, scheme: str) -> None:
    fakes.openai_chat.script(Reply(text="via-socks", chunks=1))
    with Socks5Proxy(require=("sockuser", "sockpass")) as proxy:
        url = proxy.url_with("sockuser", "sockpass").replace("socks5://", f"{scheme}://")
        target = chat_upstream(fakes, proxy=url)
        clients = UpstreamClients()
        status, body = await chat(clients, target, stream=True)
        await clients.aclose()
    assert status == 200
    assert b"via-socks" in body
    port = int(fakes.openai_chat.url.rsplit(":", 1)[1])
    assert [(f.host, f.port, f.username) for f in proxy.forwarded] == [("127.0.0.1", port, "sockuser")]


QUIET_PROXIES = [("socks5", "http"), ("http", "https")]  # (the proxy's scheme, the upstream's)
QUIET = r"not reached through its proxy within its connect_timeout of 0\.5 s"


@pytest.mark.parametrize(("scheme", "upstream_scheme"), QUIET_PROXIES, ids=["socks5", "connect"])
async def test_a_proxy_that_goes_quiet_while_connecting_is_given_up_at_the_connect_timeout(
    scheme: str, upstream_scheme: str
) -> None:
    # httpcore bounds only the TCP connect: the SOCKS5 handshake and the answer to CONNECT
    # waited up to the total_timeout.
    proxy = QuietProxy(scheme)
    with proxy:
        base_url = f"{upstream_scheme}://127.0.0.1:9/v1"
        target = upstream(base_url=base_url, proxy=proxy.url, connect_timeout=0.5, total_timeout=30)
        clients = UpstreamClients()
        started = time.monotonic()
        with pytest.raises(UpstreamTimeout, match=QUIET):
            await chat(clients, target)
        waited = time.monotonic() - started
        await clients.aclose()
        # The socket is closed at once, not left to the garbage collector (httpcore
        # leaves it open when a handshake fails).
        assert proxy.hung_up.wait(2)
    assert 0.4 < waited < 5
    assert proxy.connections == 1


def test_the_next_account_answers_once_a_quiet_proxy_is_given_up(fakes: FakeUpstreams) -> None:
    fakes.openai_chat.script(Reply(text="from the direct account"))
    fake = fakes.openai_chat
    direct = {"kind": "openai_compatible", "base_url": fake.base_url, "api_key": fake.key, "models": ["m"]}
    proxy = QuietProxy("socks5")
    with proxy:
        # The account behind the quiet proxy comes first in the pool (the lower priority).
        behind = {**direct, "proxy": proxy.url, "connect_timeout": 0.5, "priority": 0}
        providers = {"behind": behind, "direct": {**direct, "priority": 5}}
        with serve_gateway(fakes, providers=providers, detect_ollama=False) as url:
            started = time.monotonic()
            body = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
            response = httpx.post(url + "/v1/chat/completions", json=body, timeout=30)
            waited = time.monotonic() - started
    assert response.status_code == 200, response.text
    assert response.json()["choices"][0]["message"]["content"] == "from the direct account"
    assert proxy.connections == 1
    assert waited < 5


async def test_an_answer_slower_than_the_connect_timeout_still_comes_through_a_proxy(
    fakes: FakeUpstreams,
) -> None:
    fakes.openai_chat.script(Reply(text="slow but here", delay_before_first_byte=1.0))
    with Socks5Proxy() as proxy:
        clients = UpstreamClients()
        status, body = await chat(clients, chat_upstream(fakes, proxy=proxy.url, connect_timeout=0.3))
        await clients.aclose()
    assert status == 200
    assert b"slow but here" in body


async def test_a_dead_proxy_is_unreachable_naming_the_provider(fakes: FakeUpstreams) -> None:
    with Socks5Proxy() as proxy:
        url = proxy.url
    clients = UpstreamClients()
    with pytest.raises(UpstreamUnreachable, match="p is unreachable"):
        await chat(clients, chat_upstream(fakes, proxy=url))
    await clients.aclose()


def test_the_global_proxy_carries_the_gateway_requests(fakes: FakeUpstreams) -> None:
    fakes.openai_chat.script(Reply(text="through the global proxy"))
    with HttpProxy() as proxy, serve_gateway(fakes, proxy=proxy.url) as url:
        response = httpx.post(url + "/v1/chat/completions", json=CHAT)
    assert response.status_code == 200, response.text
    assert response.json()["choices"][0]["message"]["content"] == "through the global proxy"
    assert [f.target for f in proxy.forwarded] == [fakes.openai_chat.base_url + "/chat/completions"]


def test_a_provider_can_opt_out_of_the_global_proxy(fakes: FakeUpstreams) -> None:
    providers = providers_for(fakes, proxy="")
    with HttpProxy() as proxy, serve_gateway(fakes, proxy=proxy.url, providers=providers) as url:
        response = httpx.post(url + "/v1/chat/completions", json=CHAT)
    assert response.status_code == 200, response.text
    assert proxy.forwarded == []
    assert fakes.openai_chat.requests


# -- timeouts ------------------------------------------------------------------------------------


async def test_read_timeout_bounds_the_wait_for_an_answer(fakes: FakeUpstreams) -> None:
    fakes.openai_chat.script(Reply(text="late", delay_before_first_byte=3))
    clients = UpstreamClients()
    started = time.monotonic()
    with pytest.raises(UpstreamTimeout, match="did not answer in time"):
        await chat(clients, chat_upstream(fakes, read_timeout=0.3))
    assert time.monotonic() - started < 2
    await clients.aclose()


async def test_total_timeout_bounds_the_wait_for_headers_too(fakes: FakeUpstreams) -> None:
    fakes.openai_chat.script(Reply(text="late", delay_before_first_byte=3))
    clients = UpstreamClients()
    started = time.monotonic()
    with pytest.raises(UpstreamTimeout, match=r"total_timeout of 0\.3 s"):
        await chat(clients, chat_upstream(fakes, read_timeout=30, total_timeout=0.3))
    assert time.monotonic() - started < 2
    await clients.aclose()


async def test_total_timeout_cuts_a_slow_stream(fakes: FakeUpstreams) -> None:
    """Each chunk arrives well within the read timeout; the whole exchange does not."""
    fakes.openai_chat.script(Reply(text="one two three four five six", chunks=6, chunk_delay=0.25))
    target = chat_upstream(fakes, read_timeout=30, total_timeout=0.6)
    clients = UpstreamClients()
    headers = {**target.request_headers(), "content-type": "application/json"}
    body = httpx.Request("POST", "http://x", json={**CHAT, "stream": True}).content
    received: list[bytes] = []
    started = time.monotonic()
    with pytest.raises(UpstreamTimeout, match="total_timeout"):
        async with clients.stream(
            target, "POST", target.url("/chat/completions"), content=body, headers=headers
        ) as r:
            async for chunk in iter_body(target, r):
                received.append(chunk)
    assert 0.5 < time.monotonic() - started < 2
    assert received  # it was cut mid-stream, not refused
    assert b"[DONE]" not in b"".join(received)
    await clients.aclose()


def test_total_timeout_mid_stream_reaches_the_client_as_an_in_stream_error(fakes: FakeUpstreams) -> None:
    fakes.anthropic.script(Reply(text="a b c d e f", chunks=6, chunk_delay=0.2))
    providers = providers_for(fakes, read_timeout=30, total_timeout=1.2)
    body = {"model": MODEL_OF["anthropic"], "max_tokens": 10, "stream": True, "messages": CHAT["messages"]}
    with serve_gateway(fakes, providers=providers) as url:
        started = time.monotonic()
        with httpx.stream(
            "POST", url + "/v1/messages", json=body, headers={"anthropic-version": "2023-06-01"}
        ) as response:
            raw = b"".join(response.iter_raw())
    assert response.status_code == 200
    assert time.monotonic() - started < 2
    assert b"content_block_delta" in raw  # part of the answer came through first
    assert b"event: error" in raw
    assert b"timeout_error" in raw
    assert b"message_stop" not in raw


def test_a_stream_through_httpx_reaches_the_client_whole(fakes: FakeUpstreams) -> None:
    """httpx marks a body consumed as soon as its reading starts: taken for "finished",
    that ended every HTTP/2 or proxied stream after its first network chunk."""
    fakes.openai_chat.script(Reply(text="one two three four", chunks=4, chunk_delay=0.1))
    body = {**CHAT, "stream": True}
    with (
        HttpProxy() as proxy,
        serve_gateway(fakes, proxy=proxy.url) as url,
        httpx.stream("POST", url + "/v1/chat/completions", json=body) as response,
    ):
        raw = b"".join(response.iter_raw())
    assert proxy.forwarded, "carried by the httpx pool"
    assert raw.count(b'"content":') >= 4 and b"error" not in raw, raw
    assert raw.endswith(b"data: [DONE]\n\n")

"""Outbound HTTP: one pooled client per upstream, and transport failures mapped once.

Every request to an upstream goes through `UpstreamClients.stream`, which turns httpx's
exceptions into the gateway's error tree, so no caller handles httpx errors itself.

Each upstream's client is built from its configuration: HTTP/2 towards https base URLs
(unless `http2 = false`; plain http stays HTTP/1.1), an optional proxy (http, https,
socks5, socks5h), and three timeouts. `connect_timeout` bounds opening a connection,
`read_timeout` the longest silence between two bytes, `total_timeout` the whole exchange,
headers and body alike: a stream still running at that deadline ends in `UpstreamTimeout`,
which the relay turns into the client dialect's in-stream error.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

import httpx

from dragoman.ir.errors import UpstreamTimeout, UpstreamUnreachable
from dragoman.providers.upstream import Upstream

# Where a response keeps the event-loop time its exchange must end by (None: no bound),
# so that reading the body needs nothing but the response.
DEADLINE = "dragoman.deadline"

Content = bytes | AsyncIterable[bytes] | None
Headers = Mapping[str, str] | Sequence[tuple[str, str]]


def client_options(upstream: Upstream) -> dict[str, Any]:
    """The `httpx.AsyncClient` arguments for this upstream."""
    return {
        "timeout": httpx.Timeout(upstream.read_timeout, connect=upstream.connect_timeout),
        "limits": httpx.Limits(max_connections=None, max_keepalive_connections=64),
        # Without TLS there is no ALPN to agree on HTTP/2, and prior knowledge (h2c) is rare.
        "http2": upstream.http2 and upstream.base_url.lower().startswith("https://"),
        "proxy": upstream.proxy,
        # Only the configuration decides the route out, never a stray HTTPS_PROXY.
        "trust_env": False,
    }


class UpstreamClients:
    """A keep-alive connection pool per upstream, created on first use."""

    def __init__(self) -> None:
        self._clients: dict[str, httpx.AsyncClient] = {}

    def client(self, upstream: Upstream) -> httpx.AsyncClient:
        client = self._clients.get(upstream.name)
        if client is None:
            client = httpx.AsyncClient(**client_options(upstream))
            self._clients[upstream.name] = client
        return client

    @asynccontextmanager
    async def stream(
        self, upstream: Upstream, method: str, url: str, *, content: Content, headers: Headers
    ) -> AsyncIterator[httpx.Response]:
        """The upstream's response, headers read and body not yet; transport errors mapped.

        `content` may be an async iterable, sent as it is produced; an exception it
        raises (a body over the size limit) comes out of here unchanged.
        """
        client = self.client(upstream)
        request = client.build_request(method, url, content=content, headers=headers)
        deadline = _deadline(upstream)
        try:
            async with asyncio.timeout_at(deadline):
                response = await client.send(request, stream=True)
        except httpx.TimeoutException:
            raise UpstreamTimeout(f"{upstream.name} did not answer in time ({_where(url)})") from None
        except TimeoutError:
            raise UpstreamTimeout(_over_total(upstream)) from None
        except httpx.TransportError as error:
            raise UpstreamUnreachable(
                f"{upstream.name} is unreachable at {_where(url)}: {_reason(error)}"
            ) from None
        response.extensions[DEADLINE] = deadline
        try:
            yield response
        finally:
            await response.aclose()

    async def aclose(self) -> None:
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()


async def iter_body(
    upstream: Upstream, response: httpx.Response, *, raw: bool = False
) -> AsyncIterator[bytes]:
    """The response body as it arrives, decoded (or, with `raw`, as sent), failures mapped.

    A read timeout, a cut connection and the exchange's total deadline all end it with a
    GatewayError.
    """
    chunks = (response.aiter_raw() if raw else response.aiter_bytes()).__aiter__()
    deadline = response.extensions.get(DEADLINE)
    clock = asyncio.get_running_loop().time
    while True:
        try:
            if deadline is not None and deadline - clock() < upstream.read_timeout:
                # Only near the deadline can a read outlast it: httpx's read timeout
                # bounds every other read, so the timer is paid for only then.
                async with asyncio.timeout_at(deadline):
                    chunk = await anext(chunks)
            else:
                chunk = await anext(chunks)
        except StopAsyncIteration:
            return
        except httpx.TimeoutException:
            raise UpstreamTimeout(_silent(upstream)) from None
        except TimeoutError:
            raise UpstreamTimeout(_over_total(upstream)) from None
        except httpx.TransportError as error:
            raise UpstreamUnreachable(f"{upstream.name} dropped the connection: {_reason(error)}") from None
        yield chunk


def _deadline(upstream: Upstream) -> float | None:
    if upstream.total_timeout is None:
        return None
    return asyncio.get_running_loop().time() + upstream.total_timeout


def _silent(upstream: Upstream) -> str:
    return f"{upstream.name} stopped sending for {upstream.read_timeout:g} s"


def _over_total(upstream: Upstream) -> str:
    return f"{upstream.name} did not finish within its total_timeout of {upstream.total_timeout:g} s"


def _where(url: str) -> str:
    parsed = httpx.URL(url)
    return f"{parsed.scheme}://{parsed.netloc.decode()}"


def _reason(error: Exception) -> str:
    return str(error) or type(error).__name__

"""Outbound HTTP: one pooled client per upstream, and transport failures mapped once.

Every request to an upstream goes through `UpstreamClients.stream`, which turns httpx's
exceptions into the gateway's error tree, so no caller handles httpx errors itself.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from dragoman.ir.errors import UpstreamTimeout, UpstreamUnreachable
from dragoman.providers.upstream import Upstream


class UpstreamClients:
    """A keep-alive connection pool per upstream, created on first use."""

    def __init__(self) -> None:
        self._clients: dict[str, httpx.AsyncClient] = {}

    def client(self, upstream: Upstream) -> httpx.AsyncClient:
        client = self._clients.get(upstream.name)
        if client is None:
            timeout = httpx.Timeout(upstream.read_timeout, connect=upstream.connect_timeout)
            limits = httpx.Limits(max_connections=None, max_keepalive_connections=64)
            client = httpx.AsyncClient(timeout=timeout, limits=limits, trust_env=False)
            self._clients[upstream.name] = client
        return client

    @asynccontextmanager
    async def stream(
        self, upstream: Upstream, method: str, url: str, *, content: bytes, headers: dict[str, str]
    ) -> AsyncIterator[httpx.Response]:
        """The upstream's response, headers read and body not yet; transport errors mapped."""
        request = self.client(upstream).build_request(method, url, content=content, headers=headers)
        try:
            response = await self.client(upstream).send(request, stream=True)
        except httpx.TimeoutException:
            raise UpstreamTimeout(f"{upstream.name} did not answer in time ({_where(url)})") from None
        except httpx.TransportError as error:
            raise UpstreamUnreachable(
                f"{upstream.name} is unreachable at {_where(url)}: {_reason(error)}"
            ) from None
        try:
            yield response
        finally:
            await response.aclose()

    async def aclose(self) -> None:
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()


async def iter_body(upstream: Upstream, response: httpx.Response) -> AsyncIterator[bytes]:
    """The response body as it arrives, a read timeout or a cut connection mapped."""
    try:
        async for chunk in response.aiter_bytes():
            yield chunk
    except httpx.TimeoutException:
        raise UpstreamTimeout(f"{upstream.name} stopped sending for {upstream.read_timeout:g} s") from None
    except httpx.TransportError as error:
        raise UpstreamUnreachable(f"{upstream.name} dropped the connection: {_reason(error)}") from None


def _where(url: str) -> str:
    parsed = httpx.URL(url)
    return f"{parsed.scheme}://{parsed.netloc.decode()}"


def _reason(error: Exception) -> str:
    return str(error) or type(error).__name__

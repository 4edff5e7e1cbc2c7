"""The httpx pool: HTTP/2 towards https upstreams, and every upstream behind a proxy.

One `httpx.AsyncClient` per upstream, built from its configuration: HTTP/2 where TLS can
negotiate it (unless `http2 = false`), an optional proxy (http, https, socks5, socks5h),
connect and read timeouts. It also serves the exchanges that are not relayed (a login's
one-time setup), which want httpx's client object itself.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Mapping
from typing import Any

import h11
import httpx

from dragoman.ir.errors import GatewayError, UpstreamTimeout, UpstreamUnreachable
from dragoman.providers import failures
from dragoman.providers.connection_cap import HostSlots
from dragoman.providers.http import Content, Headers, uses_http2
from dragoman.providers.ticking import with_ticks
from dragoman.providers.upstream import Upstream

# What httpx's own exceptions mean, most specific first (`failures` adds the OS's).
BEFORE: failures.Kinds = (
    (httpx.ProxyError, failures.PROXY_REFUSED),
    # h11 could not parse the status line or headers; httpcore's own is a hang-up.
    (h11.RemoteProtocolError, failures.MALFORMED),
    (httpx.RemoteProtocolError, failures.CLOSED_EARLY),
)
DURING: failures.Kinds = ((httpx.DecodingError, failures.CORRUPT),)


def client_options(upstream: Upstream) -> dict[str, Any]:
    """The `httpx.AsyncClient` arguments for this upstream."""
    return {
        "timeout": httpx.Timeout(upstream.read_timeout, connect=upstream.connect_timeout),
        "limits": httpx.Limits(max_connections=None, max_keepalive_connections=64),
        "http2": uses_http2(upstream),
        "proxy": upstream.proxy,
        # Only the configuration decides the route out, never a stray HTTPS_PROXY.
        "trust_env": False,
    }


class HttpxResponse:
    """An httpx response seen as an `UpstreamResponse`."""

    def __init__(self, upstream: Upstream, response: httpx.Response, raw: bool, deadline: float | None):
        self.status_code = response.status_code
        self.headers: Mapping[str, str] = response.headers
        self.deadline = deadline
        self.slot: HostSlots | None = None
        self._upstream, self._response, self._raw = upstream, response, raw

    def raw_headers(self) -> list[tuple[bytes, bytes]]:
        return list(self._response.headers.raw)

    def received_whole(self) -> bytes | None:
        return None  # httpx hands the body over only by reading it

    def finished(self) -> bool:
        # httpx cannot tell: its `is_stream_consumed` turns true as soon as reading starts,
        # and the pump reads ahead of the caller (`ticking`), so a body received whole may
        # still be queued. The caller sees the end when the chunks end.
        return False

    async def aclose(self) -> None:
        slot, self.slot = self.slot, None
        try:
            await self._response.aclose()
        finally:
            if slot is not None:
                slot.release()

    def ticking_chunks(self, interval: float) -> AsyncGenerator[bytes | None, None]:
        return with_ticks(self.chunks(), interval)

    async def chunks(self) -> AsyncGenerator[bytes, None]:
        body = self._response.aiter_raw() if self._raw else self._response.aiter_bytes()
        try:
            async for chunk in body:
                yield chunk
        except httpx.TimeoutException:
            raise UpstreamTimeout(failures.silent(self._upstream)) from None
        except Exception as error:  # httpx, httpcore, h11, h2, socksio: plain words all the same
            raise UpstreamUnreachable(failures.dropped(self._upstream, error, DURING)) from None


async def _sent(
    client: httpx.AsyncClient, request: httpx.Request, bound: _ProxyConnect | None
) -> httpx.Response:
    """The request sent, its answer's headers read; through a proxy, its connection held
    to the connect timeout and closed if it fails before the request goes out."""
    if bound is None:
        return await client.send(request, stream=True)
    request.extensions["trace"] = bound.trace
    try:
        async with bound.phase:
            return await client.send(request, stream=True)
    except BaseException:
        await bound.abandon()
        raise


class _ProxyConnect:
    """A new connection through a proxy, from its TCP connect to the request's headers
    going out, seen through httpcore's trace hook.

    httpcore bounds the TCP connect alone: the SOCKS5 handshake is read with no limit
    and the proxy's answer to CONNECT with the read timeout, so a proxy that took the
    connection and went quiet held the request to its total_timeout (an hour). The
    phase now has the connect timeout. And httpcore leaves the socket open when the
    handshake fails (the proxy hangs up, or refuses the target): it is closed here. A
    kept connection sends at once: nothing is armed, nothing is held."""

    def __init__(self, seconds: float) -> None:
        self.phase = asyncio.timeout(None)
        self._seconds = seconds
        self._stream: Any = None  # the proxy's socket, until the request goes out on it

    async def trace(self, event: str, info: Any) -> None:
        if event.endswith(".connect_tcp.started"):
            self.phase.reschedule(asyncio.get_running_loop().time() + self._seconds)
        elif event.endswith(".connect_tcp.complete"):
            self._stream = info.get("return_value")
        elif event.endswith(".send_request_headers.started") and info["request"].method != b"CONNECT":
            self.phase.reschedule(None)  # through: the answer may take its time
            self._stream = None  # the connection's now, kept in the pool

    async def abandon(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            with contextlib.suppress(Exception):
                await stream.aclose()


class HttpxPool:
    def __init__(self) -> None:
        self._clients: dict[str, httpx.AsyncClient] = {}

    def client(self, upstream: Upstream) -> httpx.AsyncClient:
        client = self._clients.get(upstream.name)
        if client is None:
            client = httpx.AsyncClient(**client_options(upstream))
            self._clients[upstream.name] = client
        return client

    async def open(
        self,
        upstream: Upstream,
        method: str,
        url: str,
        *,
        content: Content,
        headers: Headers,
        raw: bool,
        deadline: float | None,
    ) -> HttpxResponse:
        client = self.client(upstream)
        bound = _ProxyConnect(upstream.connect_timeout) if upstream.proxy else None
        try:
            request = client.build_request(method, url, content=content, headers=headers)
            async with asyncio.timeout_at(deadline):
                response = await _sent(client, request, bound)
        except httpx.TimeoutException:
            raise UpstreamTimeout(failures.no_answer(upstream, url)) from None
        except TimeoutError:
            if bound is not None and bound.phase.expired():  # the proxy's, not the total's
                raise UpstreamTimeout(failures.proxy_stalled(upstream)) from None
            raise UpstreamTimeout(failures.over_total(upstream)) from None
        except GatewayError:
            raise
        except Exception as error:  # httpx, httpcore, h11, h2, socksio: plain words all the same
            raise UpstreamUnreachable(failures.unreachable(upstream, url, error, BEFORE)) from None
        return HttpxResponse(upstream, response, raw, deadline)

    async def aclose(self) -> None:
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()

"""Outbound HTTP: one pooled client per upstream, and transport failures mapped once.

Every request to an upstream goes through `UpstreamClients.stream`, which hands back an
`UpstreamResponse` whatever library carried it, and maps that library's exceptions to
the gateway's error tree, so no caller handles transport errors itself.

Two pools, chosen per upstream by what it needs:

- HTTP/1.1 keep-alive over aiohttp (`aiohttp_pool`): every upstream without a proxy
  that does not negotiate HTTP/2, which is every local server and every upstream
  configured with `http2 = false`. aiohttp parses in C and finds a free connection
  in constant time: it is the benchmark's hot path.
- httpx (`httpx_pool`): HTTP/2 towards https base URLs (unless `http2 = false`), and any
  upstream behind a proxy (http, https, socks5, socks5h). httpx is imported only then.

Three timeouts bound an exchange: `connect_timeout` opening a connection,
`read_timeout` the longest silence between two bytes, `total_timeout` the whole
exchange, headers and body alike: a stream still running at that deadline ends in
`UpstreamTimeout`, which the relay turns into the client dialect's in-stream error.
And `max_answer_bytes` bounds what is held of an answer: the whole of one read at once
(`read_all`), one event of a stream (`sse_decoder`); chunks are bounded by the pools.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterable, AsyncIterator, Mapping, Sequence
from contextlib import aclosing, asynccontextmanager
from typing import TYPE_CHECKING, Protocol, TypeVar

from dragoman import sse
from dragoman.ir.errors import UpstreamError, UpstreamTimeout
from dragoman.providers import failures
from dragoman.providers.aiohttp_pool import AiohttpPool
from dragoman.providers.connection_cap import ConnectionCap, HostSlots
from dragoman.providers.upstream import Upstream

if TYPE_CHECKING:
    import httpx

    from dragoman.providers.httpx_pool import HttpxPool

T = TypeVar("T")
Content = bytes | AsyncIterable[bytes] | None
Headers = Mapping[str, str] | Sequence[tuple[str, str]]


class UpstreamResponse(Protocol):
    """An upstream's answer with its headers read and its body not yet."""

    status_code: int
    # Case-insensitive, as HTTP header names are.
    headers: Mapping[str, str]
    # The exchange must end by this event-loop time (None: no bound).
    deadline: float | None
    # The connection slot it holds towards its host (`connection_cap`), given back by `aclose`.
    slot: HostSlots | None

    def raw_headers(self) -> list[tuple[bytes, bytes]]:
        """The headers as sent: names in their own case, repeated ones kept."""
        ...

    def chunks(self) -> AsyncGenerator[bytes, None]:
        """The body as it arrives; a silence over `read_timeout` or a cut connection end
        it with a GatewayError."""
        ...

    def ticking_chunks(self, interval: float) -> AsyncGenerator[bytes | None, None]:
        """`chunks()`, and `None` after every `interval` seconds of silence (time for a
        keep-alive) without disturbing the read in progress."""
        ...

    def received_whole(self) -> bytes | None:
        """The whole body, taken at once, when all of it has been received and none read
        (a small answer comes in the packets of its headers); None: read it by chunks."""
        ...

    def finished(self) -> bool:
        """True once the whole body has been received and read: nothing more will come.
        (False when the pool cannot tell, which is never wrong.)"""
        ...

    async def aclose(self) -> None:
        """Give the connection back (a body read to its end) or close it (one left unread),
        and its slot with it."""
        ...


class UpstreamClients:
    """The connection pools of every upstream, created on first use."""

    def __init__(self, cap: ConnectionCap | None = None) -> None:
        self._aiohttp = AiohttpPool()
        self._httpx: HttpxPool | None = None
        # At most so many exchanges in flight per upstream host; the rest wait in line.
        self.cap = cap or ConnectionCap()

    def client(self, upstream: Upstream) -> httpx.AsyncClient:
        """An httpx client with the upstream's proxy and timeouts, for the rare exchanges
        that are not relayed (a login's one-time setup, token endpoints)."""
        return self._httpx_pool().client(upstream)

    async def open(
        self,
        upstream: Upstream,
        method: str,
        url: str,
        *,
        content: Content,
        headers: Headers,
        raw: bool = False,
    ) -> UpstreamResponse:
        """The upstream's response, headers read and body not yet; transport errors mapped.
        The caller must `aclose()` it.

        The body comes decoded, or with `raw` as sent (still compressed if it was).
        `content` may be an async iterable, sent as it is produced; an exception it
        raises (a body over the size limit) comes out of here unchanged.
        """
        deadline = _deadline(upstream)
        pool = self._httpx_pool() if _needs_httpx(upstream) else self._aiohttp
        slot = self.cap.take_now(upstream.base_url) or await self.cap.take(upstream.base_url)
        try:
            response = await pool.open(
                upstream, method, url, content=content, headers=headers, raw=raw, deadline=deadline
            )
        except BaseException:
            slot.release()
            raise
        response.slot = slot
        return response

    @asynccontextmanager
    async def stream(
        self, upstream: Upstream, method: str, url: str, *, content: Content, headers: Headers
    ) -> AsyncIterator[UpstreamResponse]:
        """`open` as a context manager, for exchanges read whole where they are sent."""
        response = await self.open(upstream, method, url, content=content, headers=headers)
        try:
            yield response
        finally:
            await response.aclose()

    async def aclose(self) -> None:
        await self._aiohttp.aclose()
        if self._httpx is not None:
            await self._httpx.aclose()

    def _httpx_pool(self) -> HttpxPool:
        if self._httpx is None:
            from dragoman.providers.httpx_pool import HttpxPool

            self._httpx = HttpxPool()
        return self._httpx


def uses_http2(upstream: Upstream) -> bool:
    # Without TLS there is no ALPN to agree on HTTP/2, and prior knowledge (h2c) is rare.
    return upstream.http2 and upstream.base_url.lower().startswith("https://")


def _needs_httpx(upstream: Upstream) -> bool:
    return upstream.proxy is not None or uses_http2(upstream)


def iter_body(upstream: Upstream, response: UpstreamResponse) -> AsyncGenerator[bytes, None]:
    """The response body as it arrives, failures mapped.

    A read timeout, a cut connection and the exchange's total deadline all end it with a
    GatewayError.
    """
    return _bounded(upstream, response, response.chunks())


def iter_ticking(
    upstream: Upstream, response: UpstreamResponse, interval: float
) -> AsyncGenerator[bytes | None, None]:
    """`iter_body`, with `None` after every `interval` seconds of silence."""
    return _bounded(upstream, response, response.ticking_chunks(interval))


async def _bounded(
    upstream: Upstream, response: UpstreamResponse, chunks: AsyncGenerator[T, None]
) -> AsyncGenerator[T, None]:
    """`chunks`, ended with UpstreamTimeout at the exchange's total deadline; closed
    with it, whenever that comes."""
    deadline = response.deadline
    clock = asyncio.get_running_loop().time
    try:
        while True:
            try:
                if deadline is not None and deadline - clock() < upstream.read_timeout:
                    # Only near the deadline can a read outlast it: the pool's read timeout
                    # bounds every other read, so the timer is paid for only then.
                    async with asyncio.timeout_at(deadline):
                        chunk = await anext(chunks)
                else:
                    chunk = await anext(chunks)
            except StopAsyncIteration:
                return
            except TimeoutError:
                raise UpstreamTimeout(failures.over_total(upstream)) from None
            yield chunk
    finally:
        await chunks.aclose()


async def read_all(upstream: Upstream, response: UpstreamResponse) -> bytes:
    """The whole body, failures mapped as in `iter_body`. Past the upstream's
    `max_answer_bytes` (decoded) it is an UpstreamError, and the rest is left unread."""
    limit = upstream.max_answer_bytes
    if _declared_length(response) > limit:
        raise UpstreamError(failures.too_large(upstream))
    whole = response.received_whole()
    if whole is not None:  # no reader to start, no wait: most non-streamed answers
        if len(whole) > limit:
            raise UpstreamError(failures.too_large(upstream))
        return whole
    parts: list[bytes] = []
    size = 0
    async with aclosing(iter_body(upstream, response)) as chunks:
        async for chunk in chunks:
            size += len(chunk)
            if size > limit:
                raise UpstreamError(failures.too_large(upstream))
            parts.append(chunk)
    return b"".join(parts)


def sse_decoder(upstream: Upstream) -> sse.Decoder:
    """A decoder for the upstream's event stream, refusing an event (or a line that never
    ends) over its `max_answer_bytes`: chunks are bounded, an event's buffer must be too."""
    return sse.Decoder(
        upstream.max_answer_bytes, lambda: UpstreamError(failures.too_large(upstream, "a stream event"))
    )


def _declared_length(response: UpstreamResponse) -> int:
    length = response.headers.get("content-length", "")
    return int(length) if length.isdigit() else 0


def _deadline(upstream: Upstream) -> float | None:
    if upstream.total_timeout is None:
        return None
    return asyncio.get_running_loop().time() + upstream.total_timeout

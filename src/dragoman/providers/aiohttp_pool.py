"""The aiohttp pool: HTTP/1.1 keep-alive to every upstream reached directly.

One session and connector for all upstreams (the connector keeps a pool per host, and
one TLS context serves them all). The session behaves as a gateway must, not as a
browser: no cookie jar (one client's cookies must never ride on another's request),
no redirects followed (the client sees the upstream's 3xx), no proxy taken from the
environment. Timeouts come from each upstream's table; the total deadline is the
caller's (see `http.iter_body`), so both pools bound an exchange the same way.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Mapping
from typing import TYPE_CHECKING, cast

import aiohttp
from aiohttp.http_exceptions import ContentEncodingError
from yarl import URL

from dragoman.ir.errors import GatewayError, UpstreamTimeout, UpstreamUnreachable
from dragoman.providers import failures
from dragoman.providers.upstream import Upstream

if TYPE_CHECKING:
    from dragoman.providers.connection_cap import HostSlots
    from dragoman.providers.http import Content, Headers

# What aiohttp's own exceptions mean, most specific first (`failures` adds the OS's).
BEFORE: failures.Kinds = (
    (aiohttp.ClientConnectorDNSError, failures.NO_HOST),
    (aiohttp.ClientConnectorCertificateError, failures.CERTIFICATE),
    (aiohttp.ClientSSLError, failures.TLS),
    (aiohttp.ServerDisconnectedError, failures.CLOSED_EARLY),
    # A status line or header aiohttp could not parse.
    (aiohttp.ClientResponseError, failures.MALFORMED),
)
DURING: failures.Kinds = ((ContentEncodingError, failures.CORRUPT),)

# Some upstreams send long headers (rate-limit sets, request ids, cookies); aiohttp's
# default of 8 KiB per line would turn one into a dropped connection.
MAX_HEADER_BYTES = 64 * 1024


class AiohttpResponse:
    """An aiohttp response seen as an `UpstreamResponse`."""

    __slots__ = ("_response", "_upstream", "deadline", "headers", "slot", "status_code")

    def __init__(self, upstream: Upstream, response: aiohttp.ClientResponse, deadline: float | None):
        self.status_code = response.status
        self.headers: Mapping[str, str] = response.headers
        self.deadline = deadline
        self.slot: HostSlots | None = None
        self._upstream, self._response = upstream, response

    def raw_headers(self) -> list[tuple[bytes, bytes]]:
        return list(self._response.raw_headers)

    def received_whole(self) -> bytes | None:
        content = self._response.content
        # Past `feed_eof` the buffer holds the rest of the body, decoded: all of it here,
        # where nothing read it yet. (Taking it also asks aiohttp to read on: harmless.)
        return content.read_nowait() if content.is_eof() and not content.at_eof() else None

    def finished(self) -> bool:
        return self._response.content.at_eof()

    async def aclose(self) -> None:
        # A body read to its end frees the connection for the next request; one left
        # half read cannot be reused, so it is closed.
        if self._response.content.at_eof():
            self._response.release()
        else:
            self._response.close()
        slot, self.slot = self.slot, None
        if slot is not None:
            slot.release()

    def chunks(self) -> AsyncGenerator[bytes, None]:
        # Without an interval no tick is ever yielded.
        return cast(AsyncGenerator[bytes, None], self.ticking_chunks(None))

    async def ticking_chunks(self, interval: float | None) -> AsyncGenerator[bytes | None, None]:
        # aiohttp's reader keeps what arrives in its buffer whether or not anyone waits,
        # so a wait can be given up at each tick: no pump task is needed.
        content = self._response.content
        try:
            while True:
                chunk = content.read_nowait()
                if not chunk:
                    if content.at_eof():
                        return
                    try:
                        async with asyncio.timeout(interval):
                            chunk = await content.readany()
                    except aiohttp.ServerTimeoutError:
                        raise
                    except TimeoutError:
                        yield None
                        continue
                    if not chunk:
                        return
                yield chunk
        except aiohttp.ServerTimeoutError:
            raise UpstreamTimeout(failures.silent(self._upstream)) from None
        except Exception as error:  # whatever aiohttp raises, the client reads plain words
            raise UpstreamUnreachable(failures.dropped(self._upstream, error, DURING)) from None


class AiohttpPool:
    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None
        self._timeouts: dict[tuple[float, float], aiohttp.ClientTimeout] = {}

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
    ) -> AiohttpResponse:
        try:
            async with asyncio.timeout_at(deadline):
                response = await self._sent_once(upstream, method, url, content, headers, raw)
        except aiohttp.ServerTimeoutError:
            raise UpstreamTimeout(failures.no_answer(upstream, url)) from None
        except TimeoutError:
            raise UpstreamTimeout(failures.over_total(upstream)) from None
        except GatewayError:
            raise
        except Exception as error:  # whatever aiohttp raises, the client reads plain words
            raise _body_failure(error) or UpstreamUnreachable(
                failures.unreachable(upstream, url, error, BEFORE)
            ) from None
        return AiohttpResponse(upstream, response, deadline)

    async def _sent_once(
        self, upstream: Upstream, method: str, url: str, content: Content, headers: Headers, raw: bool
    ) -> aiohttp.ClientResponse:
        """The request, sent again on a new connection when the upstream hung up on a
        kept-alive one before taking the whole request: a server that closes an idle
        connection as it is reused (the race every keep-alive pool has) has received no
        complete request, so it processed none. A body that cannot be replayed (a
        stream) is not sent twice."""
        try:
            return await self._send(upstream, method, url, content, headers, raw)
        except aiohttp.ClientOSError as error:
            if not _unsent(error) or not isinstance(content, bytes | None):
                raise
        return await self._send(upstream, method, url, content, headers, raw)

    async def _send(
        self, upstream: Upstream, method: str, url: str, content: Content, headers: Headers, raw: bool
    ) -> aiohttp.ClientResponse:
        return await self._client().request(
            method,
            # The URL is sent as written: a pass-through keeps the client's percent-encoding.
            URL(url, encoded=True),
            data=content or None,
            headers=headers,
            allow_redirects=False,
            auto_decompress=not raw,
            timeout=self._timeout(upstream),
        )

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=0),
                cookie_jar=aiohttp.DummyCookieJar(),
                # aiohttp would label a body sent without a type octet-stream; the upstream
                # gets the client's label or none, as from any plain HTTP client.
                skip_auto_headers=("Content-Type",),
                trust_env=False,
                max_line_size=MAX_HEADER_BYTES,
                max_field_size=MAX_HEADER_BYTES,
            )
        return self._session

    def _timeout(self, upstream: Upstream) -> aiohttp.ClientTimeout:
        key = (upstream.connect_timeout, upstream.read_timeout)
        timeout = self._timeouts.get(key)
        if timeout is None:
            # `connect` includes the wait for a free connection, `sock_read` is the
            # longest silence between two reads (and before the headers).
            timeout = aiohttp.ClientTimeout(
                total=None, connect=upstream.connect_timeout, sock_read=upstream.read_timeout
            )
            self._timeouts[key] = timeout
        return timeout

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def _body_failure(error: BaseException) -> Exception | None:
    """The gateway's own error raised while the request body was being produced (a body
    over the size limit), which aiohttp reports as a connection failure it caused."""
    cause = error.__cause__
    while cause is not None:
        if isinstance(cause, GatewayError):
            return cause
        cause = cause.__cause__
    return None


def _unsent(error: aiohttp.ClientOSError) -> bool:
    """The request body could not be written (the connection was gone or reset): aiohttp
    raises it with the socket's own error as the cause. A failure to connect is not
    one: it is the upstream being down, for the pool to judge."""
    return not isinstance(error, aiohttp.ClientConnectorError) and isinstance(error.__cause__, OSError)

"""A response body sent chunk by chunk as it is produced, given up when the client leaves.

Starlette's StreamingResponse runs an anyio task group per response under ASGI 2.3
(uvicorn's level) to notice a disconnect; that cost was a large share of a streamed
request. Here one plain task waits for the disconnect and, if it comes first, cancels
the sending (see `disconnect`): the body's own cleanup then closes the upstream
connection, so an abandoned answer stops costing upstream tokens at once.

A GatewayError raised by the body (a pass-through upstream cut mid-body) ends the
response early: no byte can be added to a body already under way, so the client
learns of the failure the way it would from the upstream itself.

How the body ended is noted on the request's `Exchange` for the access log, once:
`client_left`, `upstream_error: <code>`, else `ok` unless the body noted an upstream
error of its own (the relay's in-stream error events).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, Awaitable, Callable, Mapping

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from dragoman.ir.errors import GatewayError
from dragoman.server.disconnect import DisconnectWatch
from dragoman.server.exchange import Exchange, upstream_error

log = logging.getLogger("dragoman.server")


class LastChunk(bytes):
    """A body's last chunk: the response ends with it, in the same write."""


class StreamedResponse(Response):
    def __init__(
        self,
        body: AsyncGenerator[bytes, None],
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
        watch: DisconnectWatch | None = None,
        exchange: Exchange | None = None,
        cleanup: Callable[[], Awaitable[object]] | None = None,
    ) -> None:
        # `watch`: one already watching since the request came in (the relay's).
        # `cleanup`: what the body's own cleanup would do (give back an account's slot,
        # settle a key's limits), run also when the body never began: a client that
        # left before the headers were written.
        self.watch = watch
        self.cleanup = cleanup
        self.exchange = exchange
        self.body_chunks = body
        self.status_code = status_code
        self.media_type = media_type
        self.background = None
        self.init_headers(headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        watch = self.watch or DisconnectWatch(receive)
        try:
            await self._send_body(send)
            self._ended(None)
        except asyncio.CancelledError:
            # Our own cancel (the client is gone) is how a stream may end; any other
            # (a server shutting down) is passed on, even when both came at once.
            if not watch.withdraw():
                raise
            self._ended("client_left")
        except GatewayError as error:
            log.warning("answer cut short: %s", error.message)
            self._ended(upstream_error(error.code))
        finally:
            watch.stop()
            await self.body_chunks.aclose()
            if self.cleanup is not None:
                await self.cleanup()

    def _ended(self, how: str | None) -> None:
        """Note how the body ended; None: as the body itself said, else `ok`."""
        if self.exchange is not None:
            self.exchange.ended = how or self.exchange.ended or "ok"

    async def _send_body(self, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        async for chunk in self.body_chunks:
            last = isinstance(chunk, LastChunk)
            await send({"type": "http.response.body", "body": chunk, "more_body": not last})
            if last:
                return
        await send({"type": "http.response.body", "body": b"", "more_body": False})

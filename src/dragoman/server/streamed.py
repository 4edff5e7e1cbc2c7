"""A response body sent chunk by chunk as it is produced, given up when the client leaves.

Starlette's StreamingResponse runs an anyio task group per response under ASGI 2.3
(uvicorn's level) to notice a disconnect; that cost was a large share of a streamed
request. Here one plain task waits for the disconnect and, if it comes first, cancels
the sending (see `disconnect`): the body's own cleanup then closes the upstream
connection, so an abandoned answer stops costing upstream tokens at once.

A GatewayError raised by the body (a pass-through upstream cut mid-body) ends the
response early: no byte can be added to a body already under way, so the client
learns of the failure the way it would from the upstream itself.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, Mapping

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from dragoman.ir.errors import GatewayError
from dragoman.server.disconnect import DisconnectWatch

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
    ) -> None:
        # `watch`: one already watching since the request came in (the relay's).
        self.watch = watch
        self.body_chunks = body
        self.status_code = status_code
        self.media_type = media_type
        self.background = None
        self.init_headers(headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        watch = self.watch or DisconnectWatch(receive)
        try:
            await self._send_body(send)
        except asyncio.CancelledError:
            # Our own cancel (the client is gone) is how a stream may end; any other
            # (a server shutting down) is passed on, even when both came at once.
            if not watch.withdraw():
                raise
        except GatewayError as error:
            log.warning("answer cut short: %s", error.message)
        finally:
            watch.stop()
            await self.body_chunks.aclose()

    async def _send_body(self, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        async for chunk in self.body_chunks:
            last = isinstance(chunk, LastChunk)
            await send({"type": "http.response.body", "body": chunk, "more_body": not last})
            if last:
                return
        await send({"type": "http.response.body", "body": b"", "more_body": False})

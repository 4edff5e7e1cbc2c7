"""A response body sent chunk by chunk as it is produced, given up when the client leaves.

Starlette's StreamingResponse runs an anyio task group per response under ASGI 2.3
(uvicorn's level) to notice a disconnect; that cost was a large share of a streamed
request. Here one plain task waits for the disconnect and, if it comes first, cancels
the sending: the body's own cleanup then closes the upstream connection, so an
abandoned answer stops costing upstream tokens at once.

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

log = logging.getLogger("dragoman.server")


class StreamedResponse(Response):
    def __init__(
        self,
        body: AsyncGenerator[bytes, None],
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str | None = None,
    ) -> None:
        self.body_chunks = body
        self.status_code = status_code
        self.media_type = media_type
        self.background = None
        self.init_headers(headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        watch = _DisconnectWatch(receive)
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
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})


class _DisconnectWatch:
    """Cancels the current task when the client disconnects, until stopped."""

    def __init__(self, receive: Receive) -> None:
        self._fired = self._stopped = False
        self._sender = asyncio.current_task()
        self._cancelling = self._sender.cancelling() if self._sender is not None else 0
        self._task = asyncio.create_task(_disconnect(receive))
        self._task.add_done_callback(self._on_done)

    def _on_done(self, task: asyncio.Task[None]) -> None:
        # A watcher that ends just before `stop` has its callback already scheduled, past
        # remove_done_callback's reach: without this check it would cancel whatever the
        # sender does after the response is over.
        if self._stopped or task.cancelled() or task.exception() is not None or self._sender is None:
            return
        self._fired = True
        self._sender.cancel()

    def withdraw(self) -> bool:
        """Take back our cancel; True when no other cancel is left to honour."""
        if not self._fired or self._sender is None:
            return False
        return self._sender.uncancel() <= self._cancelling

    def stop(self) -> None:
        self._stopped = True
        self._task.cancel()


async def _disconnect(receive: Receive) -> None:
    # A body not read yet is drained here, as Starlette's own listener does.
    while (await receive())["type"] != "http.disconnect":
        pass

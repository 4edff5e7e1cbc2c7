"""Noticing that a client has gone, and stopping the work done for it.

One plain task waits for the ASGI `http.disconnect`; if it comes first, it cancels the
task serving the request, which takes its own cancel back (`withdraw`) and ends
quietly. Whatever the request held (an upstream connection, a stream being read) is
released by its own cleanup on the way out, so an abandoned answer stops costing
upstream tokens at once, whether it was still being awaited or already streaming.
"""

from __future__ import annotations

import asyncio

from starlette.types import Receive


class DisconnectWatch:
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

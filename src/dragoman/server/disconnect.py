"""Noticing that a client has gone, and stopping the work done for it.

When the request's body has been read and dragoman's own protocol serves the connection
(`connections.LimitedHttp`), the connection's loss calls the watch directly: no task per
request (creating, scheduling and cancelling one cost chat pass-through about 5% of its
saturation throughput). Otherwise one plain task waits for the ASGI `http.disconnect`.
Either way, the watch cancels the task serving the request, which takes its own cancel
back (`withdraw`) and ends quietly. Whatever the request held (an upstream connection, a stream being read) is
released by its own cleanup on the way out, so an abandoned answer stops costing
upstream tokens at once, whether it was still being awaited or already streaming.
"""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.types import Receive

from dragoman.server.connections import LimitedHttp


class DisconnectWatch:
    """Cancels the current task when the client disconnects, until stopped."""

    def __init__(self, receive: Receive) -> None:
        self._fired = self._stopped = False
        self._sender = asyncio.current_task()
        self._cancelling = self._sender.cancelling() if self._sender is not None else 0
        self._task: asyncio.Task[None] | None = None
        cycle = _watchable_cycle(receive)
        if cycle is None:
            self._task = asyncio.create_task(_disconnect(receive))
            self._task.add_done_callback(self._on_done)
        elif cycle.disconnected:  # gone already: cancelled as soon as the sender awaits
            asyncio.get_running_loop().call_soon(self.lost)
        else:
            cycle.watch = self

    def _on_done(self, task: asyncio.Task[None]) -> None:
        # A watcher that ends just before `stop` has its callback already scheduled, past
        # remove_done_callback's reach: without this check it would cancel whatever the
        # sender does after the response is over.
        if task.cancelled() or task.exception() is not None:
            return
        self.lost()

    def lost(self) -> None:
        """The client has gone: cancel the sender, unless the watch was stopped."""
        if self._stopped or self._sender is None:
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
        if self._task is not None:
            self._task.cancel()


def _watchable_cycle(receive: Receive) -> Any:
    """The uvicorn request cycle `receive` belongs to, when dragoman's protocol serves its
    connection (which calls `watch.lost` as it is lost) and its body is all read (nothing
    left to drain); None otherwise."""
    cycle: Any = getattr(receive, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None or cycle.more_body:
        return None
    return cycle if isinstance(transport.get_protocol(), LimitedHttp) else None


async def _disconnect(receive: Receive) -> None:
    # A body not read yet is drained here, as Starlette's own listener does.
    while (await receive())["type"] != "http.disconnect":
        pass

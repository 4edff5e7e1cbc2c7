"""uvicorn in this process, on listening sockets bound by `dragoman serve`.

`serve` runs `GracefulServer` itself with one worker; each process of `serve --workers N`
runs a `WorkerServer` (see dragoman.server.worker and dragoman.server.supervisor).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
from collections.abc import Callable, Iterator

import uvicorn
from starlette.types import ASGIApp

from dragoman.config import Settings
from dragoman.server.connections import ConnectionLimits, protocol_for, sweep

log = logging.getLogger("dragoman.workers")

READY = b"r"


def uvicorn_config(app: ASGIApp, settings: Settings) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        log_config=None,
        access_log=False,  # dragoman's own access log knows the dialect and the model
        server_header=False,
        timeout_graceful_shutdown=int(settings.shutdown_grace_seconds),
        lifespan="on",
        # The fast pair uvicorn[standard] brings, named so that a missing one is an
        # error rather than a silent fall back to the pure-Python ones: httptools' protocol,
        # with limits on connections, heads and slow clients (`server.connections`).
        loop="uvloop",
        http=protocol_for(ConnectionLimits.of(settings)),
        # No WebSocket endpoint: the library is not even imported.
        ws="none",
        # Clients connect directly; X-Forwarded-* from them means nothing here.
        proxy_headers=False,
    )


class GracefulServer(uvicorn.Server):
    """uvicorn re-raises SIGINT/SIGTERM once it has shut down, which makes a clean stop
    look like a crash (exit -15, or click's "Aborted!"). A stop is how serve ends, so
    the signals only start the graceful shutdown here, and the process exits 0."""

    _sweeper: asyncio.Task[None] | None = None

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        for stop in (signal.SIGINT, signal.SIGTERM):
            signal.signal(stop, self.handle_exit)
        yield

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        # Closes the client connections too slow with their requests (`server.connections`).
        self._sweeper = asyncio.create_task(sweep(self.server_state.connections))

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
        await super().shutdown(sockets)


class WorkerServer(GracefulServer):
    """One worker of `serve --workers`. It tells its supervisor on `channel` once it
    serves, and stops when the supervisor's end of `channel` closes: the supervisor is
    gone (killed), and nothing else would ever stop this worker.

    `stopped_early` says whether a stop signal came before uvicorn took the signals
    over (while the worker was still importing and loading)."""

    def __init__(
        self, config: uvicorn.Config, channel: socket.socket, stopped_early: Callable[[], bool]
    ) -> None:
        super().__init__(config)
        self.channel = channel
        self.stopped_early = stopped_early

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        with super().capture_signals():
            if self.stopped_early():
                self.should_exit = True
            yield

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self.channel.setblocking(False)
        asyncio.get_running_loop().add_reader(self.channel.fileno(), self._supervisor_gone)
        with contextlib.suppress(OSError):  # a supervisor gone already is seen by the reader
            self.channel.send(READY)

    def _supervisor_gone(self) -> None:
        # The supervisor never writes after the settings: readable means closed.
        asyncio.get_running_loop().remove_reader(self.channel.fileno())
        if not self.should_exit:
            log.warning("the supervisor is gone: stopping")
            self.should_exit = True

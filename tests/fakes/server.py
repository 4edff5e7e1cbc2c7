"""Run an ASGI app on uvicorn in a background thread, on 127.0.0.1 and a free port.

Made for sync pytest fixtures: `start()` returns once the socket accepts connections,
`stop()` returns once the thread is gone. `serve_forever` runs the same app in the
foreground for a standalone fake process.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from types import TracebackType
from typing import Any

import uvicorn

STARTUP_TIMEOUT = 10.0


class _QuietDrop(logging.Filter):
    """Hides uvicorn's complaint when a fake drops a stream on purpose (`drop_after_chunks`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "returned without completing response" not in record.getMessage()


logging.getLogger("uvicorn.error").addFilter(_QuietDrop())


def _config(app: Any, port: int = 0) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        lifespan="off",
        ws="none",
        http="h11",
        loop="asyncio",
        log_config=None,
        log_level="warning",
        access_log=False,
        # A stream held open by a long `chunk_delay` must not stall the test session's end.
        timeout_graceful_shutdown=1,
    )


class FakeServer:
    """One uvicorn server in a daemon thread. `url` is `http://127.0.0.1:<port>`."""

    def __init__(self, app: Any, port: int = 0) -> None:
        self._app = app
        self._port = port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None

    @property
    def port(self) -> int:
        if not self._port:
            raise RuntimeError("server not started")
        return self._port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakeServer:
        sock = bind(self._port)
        self._socket = sock
        self._port = int(sock.getsockname()[1])
        self._server = uvicorn.Server(_config(self._app))
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, name=f"fake-{self.port}", daemon=True
        )
        self._thread.start()
        self._wait_started()
        return self

    def _wait_started(self) -> None:
        assert self._server is not None and self._thread is not None
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("fake server failed to start")
            time.sleep(0.002)

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._socket is not None:
            self._socket.close()
        self._server = self._thread = self._socket = None

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def bind(port: int) -> socket.socket:
    """A listening socket on 127.0.0.1 (`port` 0 picks a free one).

    Listening at once means a client may connect as soon as the port is known: the
    connection waits in the backlog until uvicorn accepts it.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(128)
    return sock


def serve_forever(app: Any, sock: socket.socket) -> None:
    """Serve `app` on `sock` in the calling thread until SIGINT / SIGTERM."""
    try:
        uvicorn.Server(_config(app)).run(sockets=[sock])
    finally:
        sock.close()

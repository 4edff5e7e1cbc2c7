"""`python -m dragoman.server.worker FD`: one process of `dragoman serve --workers N`.

The supervisor (dragoman.server.supervisor) starts it with one end of a socket pair on
file descriptor FD and its listening sockets inherited. Down the pair come the settings
as the command line resolved them (API keys included, which is why they travel there
and never on a command line or in the environment) and the listening sockets'
descriptors; back goes one byte once the worker serves. The worker builds its own
gateway (event loop, upstream pools, database engine, refresher), like `serve` alone.
"""

from __future__ import annotations

import logging
import pickle
import signal
import socket
import struct
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dragoman.config import Settings
    from dragoman.config.origin import ConfigOrigin

_HEADER = struct.Struct("!I")


def encode(settings: Settings, fds: list[int], origin: ConfigOrigin | None = None) -> bytes:
    """The orders for a worker: how to serve, on which inherited descriptors, and where
    the settings came from (to read the config file again when it changes)."""
    # A tuple, not a class of this module: run as `-m`, this module is `__main__` here.
    data = pickle.dumps((settings, fds, origin))
    return _HEADER.pack(len(data)) + data


def receive(channel: socket.socket) -> tuple[Settings, list[int], ConfigOrigin | None]:
    with channel.makefile("rb") as stream:
        head = stream.read(_HEADER.size)
        if len(head) < _HEADER.size:
            raise SystemExit("dragoman worker: the supervisor sent no settings")
        settings, fds, origin = pickle.loads(stream.read(_HEADER.unpack(head)[0]))
    return settings, fds, origin


_stops: list[int] = []


def _note_stop(signum: int, frame: object) -> None:
    _stops.append(signum)


def main() -> None:
    # Ctrl-C reaches the whole process group, and may come while this worker still
    # imports: until uvicorn takes the signals over, a stop is noted, then honoured.
    for stop in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop, _note_stop)
    channel = socket.socket(fileno=int(sys.argv[1]))
    settings, fds, origin = receive(channel)

    from dragoman.observe.log import configure
    from dragoman.server.app import build_gateway, create_app
    from dragoman.server.serving import WorkerServer, uvicorn_config

    configure(settings.log_level, settings.log_format, pid=True)
    if settings.log_level == "info":
        # uvicorn's start and stop lines, times N: the supervisor says it once per worker.
        logging.getLogger("uvicorn.error").setLevel(logging.WARNING)
    gateway = build_gateway(settings)
    gateway.origin = origin
    app = create_app(gateway)  # accounts and Ollama join when the app starts
    server = WorkerServer(uvicorn_config(app, settings), channel, lambda: bool(_stops))
    server.run(sockets=[socket.socket(fileno=fd) for fd in fds])


if __name__ == "__main__":
    main()

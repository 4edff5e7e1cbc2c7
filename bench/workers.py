"""`python -m bench.workers PORT N LOG_LEVEL`: dragoman's app in N processes on one port.

An equivalent of `dragoman serve --workers N` for as long as serve has no such option:
each process builds the gateway the way `serve` does (settings from DRAGOMAN_HOME,
`load_gateway`, `create_app`, uvicorn with the same options) and listens on the same
port with SO_REUSEPORT, so the kernel spreads connections over the processes.
"""

from __future__ import annotations

import asyncio
import signal
import socket
import subprocess
import sys

CHILD = "--child"


def child(port: int, log_level: str) -> None:
    import uvicorn

    from dragoman.cli.common import load_settings
    from dragoman.observe.log import configure
    from dragoman.server.app import create_app, load_gateway

    settings = load_settings(None, None, log_level=log_level)
    configure(settings.log_level, settings.log_format)
    gateway = asyncio.run(load_gateway(settings))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(2048)
    config = uvicorn.Config(
        create_app(gateway), log_config=None, access_log=False, server_header=False, lifespan="on"
    )
    uvicorn.Server(config).run(sockets=[sock])


def parent(port: int, workers: int, log_level: str) -> None:
    argv = [sys.executable, "-m", "bench.workers", CHILD, str(port), log_level]
    children = [subprocess.Popen(argv) for _ in range(workers)]

    def stop(signum: int, frame: object) -> None:
        for process in children:
            process.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for process in children:
        process.wait()


if __name__ == "__main__":
    if sys.argv[1] == CHILD:
        child(int(sys.argv[2]), sys.argv[3])
    else:
        parent(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3])

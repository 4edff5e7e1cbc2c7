"""A proxy that forwards nothing: every connection is recorded and refused.

The agents run with HTTPS_PROXY / HTTP_PROXY / ALL_PROXY pointing here and NO_PROXY
covering loopback, so any attempt to reach a host beyond the machine (telemetry, update
checks, the vendor's API) lands here as e.g. `CONNECT api.anthropic.com:443` instead.
"""

from __future__ import annotations

import socket
import socketserver
import threading
from contextlib import suppress

REFUSAL = b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


class RecordingProxy:
    def __init__(self) -> None:
        self.attempts: list[str] = []
        self._server: socketserver.ThreadingTCPServer | None = None

    def start(self) -> RecordingProxy:
        attempts = self.attempts

        class Refuse(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                connection: socket.socket = self.request
                connection.settimeout(2)
                try:
                    first_line = connection.recv(4096).split(b"\r\n", 1)[0]
                except OSError as error:
                    first_line = f"<nothing readable: {error}>".encode()
                attempts.append(first_line.decode("latin-1") or "<empty connection>")
                with suppress(OSError):
                    connection.sendall(REFUSAL)

        server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Refuse)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, name="recording-proxy", daemon=True).start()
        self._server = server
        return self

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the proxy is not running")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def environment(self) -> dict[str, str]:
        """The variables that send every non-loopback request of a child process here."""
        names = ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY")
        loopback = "127.0.0.1,localhost"
        return {
            **{name: self.url for name in names},
            **{name.lower(): self.url for name in names},
            "NO_PROXY": loopback,
            "no_proxy": loopback,
        }

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

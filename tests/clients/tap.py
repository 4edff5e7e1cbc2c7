"""A transparent TCP relay in front of dragoman that keeps every byte both ways.

The agents talk to dragoman through it, so a test can show exactly what an agent sent
(its headers, how it presented its key, the body dragoman was given) and what dragoman
answered, above all when dragoman could not handle a request from a new CLI version.
"""

from __future__ import annotations

import socket
import socketserver
import threading
from contextlib import suppress
from dataclasses import dataclass, field

import orjson


@dataclass(slots=True)
class HttpMessage:
    start: str  # "POST /v1/messages?beta=true HTTP/1.1" or "HTTP/1.1 200 OK"
    headers: dict[str, str]  # lower-case names; a repeated header keeps its last value
    body: bytes

    @property
    def json(self) -> object:
        try:
            return orjson.loads(self.body)
        except orjson.JSONDecodeError:
            return None


@dataclass(slots=True)
class Exchange:
    request: HttpMessage
    response: HttpMessage | None


@dataclass(slots=True)
class _Connection:
    sent: bytearray = field(default_factory=bytearray)
    received: bytearray = field(default_factory=bytearray)
    pumps: list[threading.Thread] = field(default_factory=list)


class Tap:
    def __init__(self, target_port: int) -> None:
        self.target = ("127.0.0.1", target_port)
        self._connections: list[_Connection] = []
        self._server: socketserver.ThreadingTCPServer | None = None

    def start(self) -> Tap:
        tap = self

        class Relay(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                tap._relay(self.request)

        server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Relay)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, name="tap", daemon=True).start()
        self._server = server
        return self

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the tap is not running")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def clear(self) -> None:
        self._connections.clear()

    def exchanges(self, settle: float = 2.0) -> list[Exchange]:
        """Every request relayed since `clear`, with dragoman's answer, once connections end."""
        found: list[Exchange] = []
        for connection in list(self._connections):
            for pump in connection.pumps:
                pump.join(timeout=settle)
            found += _pair(bytes(connection.sent), bytes(connection.received))
        return found

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def _relay(self, client: socket.socket) -> None:
        connection = _Connection()
        self._connections.append(connection)
        with socket.create_connection(self.target) as upstream:
            back = threading.Thread(target=_pump, args=(upstream, client, connection.received), daemon=True)
            connection.pumps.append(threading.current_thread())
            connection.pumps.append(back)
            back.start()
            _pump(client, upstream, connection.sent)
            back.join()


def _pump(source: socket.socket, sink: socket.socket, record: bytearray) -> None:
    try:
        while chunk := source.recv(65536):
            record += chunk
            sink.sendall(chunk)
    except OSError:
        pass
    finally:
        with suppress(OSError):
            sink.shutdown(socket.SHUT_WR)


def _pair(sent: bytes, received: bytes) -> list[Exchange]:
    requests = parse_messages(sent)
    bodiless = [request.start.startswith("HEAD ") for request in requests]
    responses = parse_messages(received, bodiless)
    return [
        Exchange(request, responses[index] if index < len(responses) else None)
        for index, request in enumerate(requests)
    ]


def parse_messages(data: bytes, bodiless: list[bool] | None = None) -> list[HttpMessage]:
    """HTTP/1.1 messages one after another on a connection (Content-Length or chunked)."""
    messages: list[HttpMessage] = []
    while data:
        head, separator, rest = data.partition(b"\r\n\r\n")
        if not separator:
            break
        start, *lines = head.decode("latin-1").split("\r\n")
        fields = (line.partition(":") for line in lines)
        headers = {name.strip().lower(): value.strip() for name, _, value in fields}
        skip = bodiless is not None and len(messages) < len(bodiless) and bodiless[len(messages)]
        body, data = (b"", rest) if skip else _body(headers, rest)
        messages.append(HttpMessage(start, headers, body))
    return messages


def _body(headers: dict[str, str], rest: bytes) -> tuple[bytes, bytes]:
    """The message body and what follows it."""
    if "chunked" in headers.get("transfer-encoding", "").lower():
        return _dechunk(rest)
    length = headers.get("content-length")
    if length is not None and length.isdigit():
        return rest[: int(length)], rest[int(length) :]
    return rest, b""


def _dechunk(data: bytes) -> tuple[bytes, bytes]:
    body = bytearray()
    while True:
        size_line, separator, data = data.partition(b"\r\n")
        try:
            size = int(size_line.split(b";")[0], 16) if separator else 0
        except ValueError:
            return bytes(body), b""
        if size == 0:
            return bytes(body), data.partition(b"\r\n")[2]
        body += data[:size]
        data = data[size + 2 :]

"""Two tiny servers for transport tests, run in the test's own event loop on 127.0.0.1.

`LocalServer` speaks HTTP/1.1 with keep-alive and records each request as it arrived on
the wire (request line, headers, body, the client's port, so which connection carried
it); an `Answer` writes each response raw, so a test can send what no framework would (a
body cut short, a stall mid-body). `TlsSniffer` reads a TLS ClientHello and keeps the
ALPN protocols the client offered, then hangs up.

    async with LocalServer(always(response(body=b"ok"))) as server:
        ... point an upstream at server.url ...
    assert server.requests[0].header("content-type") is None
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http import HTTPStatus


@dataclass(slots=True)
class Seen:
    """One request as the server read it off the socket."""

    method: str
    target: str
    headers: list[tuple[str, str]]
    body: bytes
    port: int  # the client's port: one per connection

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.headers if key.lower() == name.lower()), None)


Answer = Callable[[Seen, asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@dataclass
class LocalServer:
    """An HTTP/1.1 server on 127.0.0.1 with keep-alive; `answer` writes each response."""

    answer: Answer
    requests: list[Seen] = field(default_factory=list)
    ports: list[int] = field(default_factory=list)  # one per connection accepted
    closed: list[int] = field(default_factory=list)  # connections the client ended
    url: str = ""
    _open: dict[asyncio.StreamWriter, asyncio.Future[None]] = field(default_factory=dict)
    _server: asyncio.Server | None = None

    async def __aenter__(self) -> LocalServer:
        self._server = await asyncio.start_server(self._connection, "127.0.0.1", 0, limit=1 << 20)
        self.url = f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        # Cut what is still open, so each handler sees the end and returns by itself.
        for writer in self._open:
            writer.transport.abort()
        async with asyncio.timeout(5):
            await asyncio.gather(*self._open.values())
        await self._server.wait_closed()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        done = self._open[writer] = asyncio.get_running_loop().create_future()
        try:
            await self._serve(reader, writer)
        except asyncio.CancelledError:
            # Only the loop's end cancels a handler (a connection a proxy opened late);
            # Python 3.11's start_server would log the cancelled task as an error.
            pass
        finally:
            done.set_result(None)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        port = writer.get_extra_info("peername")[1]
        self.ports.append(port)
        try:
            while (seen := await read_request(reader, port)) is not None:
                self.requests.append(seen)
                await self.answer(seen, reader, writer)
                if writer.is_closing():
                    return
            self.closed.append(port)
        except ConnectionError:
            self.closed.append(port)
        finally:
            await _closed(writer)


async def read_request(reader: asyncio.StreamReader, port: int) -> Seen | None:
    """The next request on the connection, or None once the client closed it."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, ConnectionError):
        return None
    line, *fields = head[:-4].decode("latin-1").split("\r\n")
    method, target, _ = line.split(" ", 2)
    headers = [(name, value.strip()) for name, value in (item.split(":", 1) for item in fields)]
    seen = Seen(method, target, headers, b"", port)
    try:
        seen.body = await read_body(reader, seen)
    except (asyncio.IncompleteReadError, ConnectionError):
        return None  # the client gave up mid-body
    return seen


async def read_body(reader: asyncio.StreamReader, seen: Seen) -> bytes:
    if (seen.header("transfer-encoding") or "").lower() != "chunked":
        return await reader.readexactly(int(seen.header("content-length") or 0))
    body = b""
    while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
        body += (await reader.readexactly(size + 2))[:-2]
    await reader.readuntil(b"\r\n")  # no trailers
    return body


def response(status: int = 200, headers: list[tuple[str, str]] | None = None, body: bytes = b"") -> bytes:
    lines = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}", f"content-length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in headers or []]
    return "\r\n".join([*lines, "", ""]).encode("latin-1") + body


def always(data: bytes) -> Answer:
    async def answer(seen: Seen, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(data)
        await writer.drain()

    return answer


class TlsSniffer:
    """Reads a client's TLS ClientHello, keeps the ALPN protocols it offers, and hangs up."""

    def __init__(self) -> None:
        self.offers: list[list[bytes]] = []
        self.port = 0
        self._server: asyncio.Server | None = None

    async def __aenter__(self) -> TlsSniffer:
        self._server = await asyncio.start_server(self._hello, "127.0.0.1", 0)
        self.port = int(self._server.sockets[0].getsockname()[1])
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    async def _hello(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            header = await reader.readexactly(5)
            self.offers.append(alpn(await reader.readexactly(int.from_bytes(header[3:5], "big"))))
        except (asyncio.IncompleteReadError, ConnectionError):
            pass  # a client that gave up before its hello: nothing offered
        finally:
            await _closed(writer)


async def _closed(writer: asyncio.StreamWriter) -> None:
    # Waited for, not only asked: a transport still closing when the test's loop ends is
    # left to the garbage collector, which reports it later, in whichever test runs then.
    writer.close()
    with contextlib.suppress(ConnectionError, asyncio.CancelledError):
        await writer.wait_closed()


def alpn(hello: bytes) -> list[bytes]:
    """The ALPN protocol names in a ClientHello handshake message (RFC 8446 4.1.2)."""
    at = 4 + 2 + 32  # handshake header, legacy version, random
    at += 1 + hello[at]  # session id
    at += 2 + int.from_bytes(hello[at : at + 2], "big")  # cipher suites
    at += 1 + hello[at]  # compression methods
    end, at = at + 2 + int.from_bytes(hello[at : at + 2], "big"), at + 2
    while at < end:
        kind, size = int.from_bytes(hello[at : at + 2], "big"), int.from_bytes(hello[at + 2 : at + 4], "big")
        if kind == 16:
            names, cursor = [], at + 6
            while cursor < at + 4 + size:
                names.append(hello[cursor + 1 : cursor + 1 + hello[cursor]])
                cursor += 1 + hello[cursor]
            return names
        at += 4 + size
    return []

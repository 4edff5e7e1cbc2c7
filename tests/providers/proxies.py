"""Two tiny outbound proxies for tests: an HTTP forward proxy and a SOCKS5 proxy.

Each runs its own event loop in a daemon thread on 127.0.0.1, connects onward to
loopback addresses only, records what it forwarded, and stops by itself after
`lifetime` seconds or `max_connections` connections if a test forgets to stop it.

    with HttpProxy() as proxy:          # proxy.url == "http://127.0.0.1:PORT"
        ... configure proxy.url, make requests ...
    assert proxy.forwarded[0].target == "http://127.0.0.1:5123/v1/messages"

The HTTP proxy takes absolute-form requests (`POST http://host:port/path HTTP/1.1`, what a
client sends a proxy for a plain-http origin), forwards one request per connection (it adds
`connection: close`) and pipes the answer back untouched. No CONNECT: the fakes are plain http.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import ipaddress
import struct
import threading
from dataclasses import dataclass, field
from types import TracebackType
from urllib.parse import urlsplit

LIFETIME = 60.0


@dataclass(slots=True)
class Forwarded:
    """One connection a proxy passed on: where to, and (HTTP) the request line and headers."""

    host: str
    port: int
    method: str | None = None
    target: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    username: str | None = None


class _LoopbackProxy:
    """`require` (user, password): the credentials a client must present."""

    def __init__(
        self, *, require: tuple[str, str] | None = None, lifetime: float = LIFETIME, max_connections: int = 64
    ) -> None:
        self._require = require
        self.forwarded: list[Forwarded] = []
        self.refused: list[str] = []
        self._lifetime = lifetime
        self._budget = max_connections
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self._port = 0

    scheme = "http"

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self._port}"

    def url_with(self, username: str, password: str) -> str:
        return f"{self.scheme}://{username}:{password}@127.0.0.1:{self._port}"

    def start(self) -> _LoopbackProxy:
        self._thread = threading.Thread(target=asyncio.run, args=(self._serve(),), daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError(f"{type(self).__name__} did not start")
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stopping is not None and not self._loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop ended on its own meanwhile
                self._loop.call_soon_threadsafe(self._stopping.set)
        if self._thread is not None:
            self._thread.join(10)

    def __enter__(self) -> _LoopbackProxy:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        tasks: set[asyncio.Task[None]] = set()

        async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            if self._budget <= 0:
                writer.close()
                return
            self._budget -= 1
            task = asyncio.current_task()
            assert task is not None
            tasks.add(task)
            try:
                await self._handle(reader, writer)
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
                pass
            finally:
                tasks.discard(task)
                writer.close()

        server = await asyncio.start_server(accept, "127.0.0.1", 0)
        self._port = server.sockets[0].getsockname()[1]
        self._ready.set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), self._lifetime)
        server.close()
        for task in list(tasks):
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        raise NotImplementedError

    async def _open(self, host: str, port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
        if not _is_loopback(host):
            self.refused.append(host)
            return None
        return await asyncio.open_connection(host, port)


class HttpProxy(_LoopbackProxy):
    """A forward proxy for plain-http origins (Basic auth when credentials are required)."""

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")  # at most the reader's 64 KiB limit
        lines = head.decode("latin-1").split("\r\n")
        method, target, version = lines[0].split(" ", 2)
        headers = _header_map(lines[1:])
        if self._require and not _basic_matches(headers.get("proxy-authorization"), self._require):
            writer.write(b"HTTP/1.1 407 Proxy Authentication Required\r\ncontent-length: 0\r\n\r\n")
            await writer.drain()
            return
        origin = urlsplit(target)
        port = origin.port or 80
        self.forwarded.append(Forwarded(origin.hostname or "", port, method, target, headers))
        opened = await self._open(origin.hostname or "", port)
        if opened is None:
            writer.write(b"HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n")
            await writer.drain()
            return
        upstream_reader, upstream_writer = opened
        path = origin.path or "/"
        path += f"?{origin.query}" if origin.query else ""
        kept = [line for line in lines[1:] if line and not _is_proxy_header(line)]
        rewritten = [f"{method} {path} {version}", *kept, "connection: close", "", ""]
        upstream_writer.write("\r\n".join(rewritten).encode("latin-1"))
        await _pipe_both(reader, writer, upstream_reader, upstream_writer)


class Socks5Proxy(_LoopbackProxy):
    """A SOCKS5 proxy, CONNECT only (RFC 1929 auth when credentials are required)."""

    scheme = "socks5"

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        version, count = await reader.readexactly(2)
        methods = await reader.readexactly(count)
        wanted = 2 if self._require else 0
        if version != 5 or wanted not in methods:
            writer.write(b"\x05\xff")
            return
        writer.write(bytes((5, wanted)))
        username = await self._authenticate(reader, writer) if self._require else None
        if self._require and username is None:
            return
        host, port = await _read_connect(reader)
        self.forwarded.append(Forwarded(host, port, username=username))
        opened = await self._open(host, port)
        if opened is None:
            writer.write(b"\x05\x02\x00\x01" + bytes(6))  # connection not allowed by ruleset
            return
        writer.write(b"\x05\x00\x00\x01" + bytes(6))
        await _pipe_both(reader, writer, *opened)

    async def _authenticate(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> str | None:
        assert self._require is not None
        await reader.readexactly(1)  # sub-negotiation version
        username = (await reader.readexactly((await reader.readexactly(1))[0])).decode()
        password = (await reader.readexactly((await reader.readexactly(1))[0])).decode()
        accepted = (username, password) == self._require
        writer.write(b"\x01\x00" if accepted else b"\x01\x01")
        return username if accepted else None


async def _read_connect(reader: asyncio.StreamReader) -> tuple[str, int]:
    _version, command, _reserved, kind = await reader.readexactly(4)
    if command != 1:
        raise ValueError("only CONNECT is supported")
    if kind == 1:
        host = str(ipaddress.IPv4Address(await reader.readexactly(4)))
    elif kind == 4:
        host = str(ipaddress.IPv6Address(await reader.readexactly(16)))
    elif kind == 3:
        host = (await reader.readexactly((await reader.readexactly(1))[0])).decode()
    else:
        raise ValueError(f"unknown address type {kind}")
    (port,) = struct.unpack("!H", await reader.readexactly(2))
    return host, port


async def _pipe_both(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    upstream_reader: asyncio.StreamReader,
    upstream_writer: asyncio.StreamWriter,
) -> None:
    try:
        await asyncio.gather(_pipe(reader, upstream_writer), _pipe(upstream_reader, writer))
    finally:
        upstream_writer.close()


async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    while chunk := await source.read(65536):
        sink.write(chunk)
        await sink.drain()
    if sink.can_write_eof():
        with contextlib.suppress(OSError):
            sink.write_eof()


def _header_map(lines: list[str]) -> dict[str, str]:
    pairs = (line.partition(":") for line in lines if line)
    return {name.strip().lower(): value.strip() for name, _, value in pairs}


def _is_proxy_header(line: str) -> bool:
    name = line.partition(":")[0].strip().lower()
    return name in ("proxy-authorization", "proxy-connection", "connection", "keep-alive")


def _basic_matches(header: str | None, credentials: tuple[str, str]) -> bool:
    expected = "Basic " + base64.b64encode(":".join(credentials).encode()).decode()
    return header == expected


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class QuietProxy(_LoopbackProxy):
    """A proxy that takes every connection, reads what comes and never answers: a SOCKS5
    handshake or a CONNECT waits on it forever. `scheme`: what its URL says it is."""

    def __init__(self, scheme: str) -> None:
        super().__init__()
        self.scheme = scheme
        self.connections = 0
        self.hung_up = threading.Event()  # a client closed its connection

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        while await reader.read(4096):
            pass
        self.hung_up.set()

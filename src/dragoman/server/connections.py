"""Client connections held to their limits: how many at once, how large a request's head,
how long a client may take to send it, how long a body may fall silent.

uvicorn's httptools protocol has none of these: llhttp reads a header of any size (and
httptools gathers a long one by concatenation), and only an idle kept-alive connection
is timed out, so a client dribbling a byte of header every few seconds (slow loris)
holds its connection, and the task reading it, forever. `LimitedHttp` is that protocol
with the limits added:

    limit                     past it
    max_connections           the connection's requests get a 503 in their dialect, and it closes
    max_header_bytes          431 in the request's dialect, the connection closed
    header_timeout_seconds    408 in the request's dialect, the connection closed (timed from
                              the connection's opening, then from each request's first byte)
    body_timeout_seconds      408 (or, once an answer began, nothing) and closed: the body
                              stopped arriving for that long

On the request path this costs a byte count per read and an event-loop clock read per
request: no timer is armed per request. One sweep a second (`sweep`, started with the
server) closes the connections past their deadline.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from dragoman.config import Settings
from dragoman.ir.errors import GatewayError, RequestHeadersTooLarge, RequestTimeout, Unavailable
from dragoman.server.raw_errors import error_app, error_bytes

log = logging.getLogger("dragoman.server")

_data_received = HttpToolsProtocol.data_received
_on_message_begin = HttpToolsProtocol.on_message_begin
_on_headers_complete = HttpToolsProtocol.on_headers_complete
_on_message_complete = HttpToolsProtocol.on_message_complete
_connection_lost = HttpToolsProtocol.connection_lost

SWEEP_SECONDS = 1.0
# How long a refused connection is read (and what comes dropped) before it is closed:
# closing with unread bytes would reset it, and a client still sending would lose the
# answer that says why (nginx's lingering close).
LINGER_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class ConnectionLimits:
    max_connections: int
    max_header_bytes: int
    header_timeout: float
    body_timeout: float

    @classmethod
    def of(cls, settings: Settings) -> ConnectionLimits:
        return cls(
            settings.max_connections,
            settings.max_header_bytes,
            settings.header_timeout_seconds,
            settings.body_timeout_seconds,
        )


def protocol_for(limits: ConnectionLimits) -> type[LimitedHttp]:
    """The protocol class uvicorn builds each connection with, holding these limits."""
    return type("LimitedHttp", (LimitedHttp,), {"limits": limits})


class LimitedHttp(HttpToolsProtocol):
    limits: ClassVar[ConnectionLimits]
    # By this event-loop time the request being read must have moved on (its head
    # complete, its body's next bytes come); None while no request is being read.
    deadline: float | None = None
    # Bytes read of the current request's head so far; -1 once it is complete.
    head_bytes: int = 0
    # Answered with an error beneath the app: what comes now is dropped until it closes.
    refused: bool = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.deadline = self.loop.time() + self.limits.header_timeout
        if len(self.connections) > self.limits.max_connections:
            log.info("refused a client connection: %d are open (max_connections)", len(self.connections) - 1)
            # Its requests are answered by the refusal, in their dialect, once their
            # path is known; the answer closes the connection.
            self.app = error_app(_too_many(self.limits.max_connections))

    def connection_lost(self, exc: Exception | None) -> None:
        cycle = self.cycle
        _connection_lost(self, exc)
        # A request still being answered: its `disconnect.DisconnectWatch`, if any, told.
        watch = getattr(cycle, "watch", None) if cycle is not None and cycle.disconnected else None
        if watch is not None:
            watch.lost()

    def data_received(self, data: bytes) -> None:
        if self.refused:
            return
        if self.head_bytes >= 0:
            self.head_bytes += len(data)
            if self.head_bytes > self.limits.max_header_bytes and self._head_over(data):
                self._refuse(RequestHeadersTooLarge(_too_large(self.limits.max_header_bytes)))
                return
        elif self.deadline is not None:  # more of a body: the silence starts again
            self.deadline = self.loop.time() + self.limits.body_timeout
        _data_received(self, data)

    # The parent's methods are called directly: cheaper than super() on every request.
    def on_message_begin(self) -> None:
        _on_message_begin(self)
        if self.deadline is None:
            self.deadline = self.loop.time() + self.limits.header_timeout

    def on_headers_complete(self) -> None:
        self.head_bytes = -1
        self.deadline = self.loop.time() + self.limits.body_timeout
        _on_headers_complete(self)

    def on_message_complete(self) -> None:
        self.head_bytes = 0
        self.deadline = None
        _on_message_complete(self)

    def timed_out(self, now: float) -> None:
        """Past the deadline: the client is too slow with its head or its body."""
        if self.transport.is_closing() or self.refused:
            return
        if self.flow.read_paused:
            # We stopped reading (the app is behind on the body), not the client.
            self.deadline = now + self.limits.body_timeout
            return
        reading_head = self.head_bytes >= 0
        if reading_head and self.cycle is not None and not self.cycle.response_complete:
            # A request sent ahead (pipelined) while an answer still streams: it is read
            # once that ends, and nothing may be written into the answer meanwhile.
            self.deadline = now + self.limits.header_timeout
            return
        limit = self.limits.header_timeout if reading_head else self.limits.body_timeout
        what = "its request line and headers" if reading_head else "more of its request body"
        log.info("closed a client connection: no %s within %g s", what, limit)
        answered = self.cycle is not None and self.cycle.response_started
        if reading_head or not answered:
            self._refuse(RequestTimeout(_slow(what, limit, reading_head)))
        else:
            self.transport.close()

    def _head_over(self, data: bytes) -> bool:
        """Whether the head is over the limit: this read may hold its end and the body's
        start, so only the bytes up to its blank line count."""
        end = data.find(b"\r\n\r\n")
        return end < 0 or self.head_bytes - len(data) + end + 4 > self.limits.max_header_bytes

    def _refuse(self, error: GatewayError) -> None:
        self.deadline = None
        self.refused = True
        headers = self.headers if isinstance(getattr(self, "headers", None), list) else []
        self.transport.write(error_bytes(error, getattr(self, "url", b""), headers))
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.loop.call_later(LINGER_SECONDS, self.transport.close)


def _too_many(limit: int) -> Unavailable:
    return Unavailable(
        f"dragoman has {limit} client connections open, its limit (max_connections); try again shortly",
        retry_after=1,
    )


def _too_large(limit: int) -> str:
    return f"the request line and headers are over {limit} bytes (max_header_bytes)"


def _slow(what: str, limit: float, head: bool) -> str:
    setting = "header_timeout_seconds" if head else "body_timeout_seconds"
    return f"no {what} came within {limit:g} s ({setting}): the connection is closed"


async def sweep(connections: Iterable[object], every: float = SWEEP_SECONDS) -> None:
    """Every `every` seconds, time out the connections past their deadline."""
    clock = asyncio.get_running_loop().time
    while True:
        await asyncio.sleep(every)
        now = clock()
        for connection in list(connections):
            deadline = getattr(connection, "deadline", None)
            if deadline is not None and now > deadline:
                connection.timed_out(now)  # type: ignore[attr-defined]

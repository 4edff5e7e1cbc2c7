"""The fake upstream: a raw asyncio HTTP/1.1 server answering with fixed bytes.

`python -m bench.upstream PORT` serves OpenAI Chat (`/chat/completions`), Anthropic
Messages (`/messages`) and OpenAI Responses (`/responses`), streamed when the request
body says `"stream": true`, an empty model list, and `GET /stats`: the requests seen
per path, so a check can tell which API a gateway called. No framework, no JSON decoding:
each answer is one precomputed `transport.write`, so the upstream is never what a
benchmark measures.
"""

from __future__ import annotations

import asyncio
import re
import signal
import sys
from collections.abc import Callable

import orjson
import uvloop

from bench import bodies

_STREAMED = re.compile(rb'"stream"\s*:\s*true')
_LENGTH = re.compile(rb"\r\ncontent-length:\s*(\d+)", re.IGNORECASE)
_CHUNKED = re.compile(rb"\r\ntransfer-encoding:[^\r]*chunked", re.IGNORECASE)
_NOT_FOUND = b"HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}"


def _whole(body: bytes) -> bytes:
    head = f"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {len(body)}\r\n\r\n"
    return head.encode() + body


def _stream(chunks: list[bytes]) -> bytes:
    head = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"
    framed = [b"%x\r\n%b\r\n" % (len(chunk), chunk) for chunk in chunks]
    return head + b"".join(framed) + b"0\r\n\r\n"


def answers() -> dict[tuple[bytes, bool], bytes]:
    """(path suffix, streamed) -> the whole HTTP response."""
    return {
        (b"/chat/completions", False): _whole(orjson.dumps(bodies.chat_json())),
        (b"/chat/completions", True): _stream(bodies.sse_chunks(bodies.chat_events())),
        (b"/messages", False): _whole(orjson.dumps(bodies.anthropic_json())),
        (b"/messages", True): _stream(bodies.sse_chunks(bodies.anthropic_events())),
        (b"/responses", False): _whole(orjson.dumps(bodies.responses_json())),
        (b"/responses", True): _stream(bodies.sse_chunks(bodies.responses_events())),
        (b"/models", False): _whole(b'{"object":"list","data":[]}'),
    }


class Upstream(asyncio.Protocol):
    """One connection: requests are answered in order as soon as their body is complete."""

    def __init__(self, table: dict[tuple[bytes, bool], bytes], seen: dict[str, int]) -> None:
        self.table = table
        self.seen = seen
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while self.transport is not None:
            request = self._take_request()
            if request is None:
                return
            self.transport.write(self._answer(*request))

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None

    def _take_request(self) -> tuple[bytes, bytes] | None:
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return None
        head = bytes(self.buffer[:end])
        start = end + 4
        if _CHUNKED.search(head):
            return self._take_chunked(head, start)
        found = _LENGTH.search(head)
        stop = start + (int(found.group(1)) if found else 0)
        if len(self.buffer) < stop:
            return None
        body = bytes(self.buffer[start:stop])
        del self.buffer[:stop]
        return head, body

    def _take_chunked(self, head: bytes, at: int) -> tuple[bytes, bytes] | None:
        parts = []
        while True:
            line_end = self.buffer.find(b"\r\n", at)
            if line_end < 0:
                return None
            size = int(bytes(self.buffer[at:line_end]).split(b";")[0], 16)
            if len(self.buffer) < line_end + 2 + size + 2:
                return None
            parts.append(bytes(self.buffer[line_end + 2 : line_end + 2 + size]))
            at = line_end + 2 + size + 2
            if size == 0:
                del self.buffer[:at]
                return head, b"".join(parts)

    def _answer(self, head: bytes, body: bytes) -> bytes:
        target = head[: head.find(b"\r\n")].split(b" ")[1].split(b"?")[0]
        if target == b"/stats":
            return _whole(orjson.dumps(self.seen))
        path = target.decode("latin-1")
        self.seen[path] = self.seen.get(path, 0) + 1
        streamed = bool(_STREAMED.search(body))
        for (suffix, stream), answer in self.table.items():
            if target.endswith(suffix) and stream == streamed:
                return answer
        return _NOT_FOUND


async def serve(port: int) -> None:
    table, seen = answers(), dict[str, int]()
    loop = asyncio.get_running_loop()
    factory: Callable[[], Upstream] = lambda: Upstream(table, seen)  # noqa: E731
    server = await loop.create_server(factory, "127.0.0.1", port, backlog=4096)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with server:
        await stop.wait()


if __name__ == "__main__":
    uvloop.run(serve(int(sys.argv[1])))

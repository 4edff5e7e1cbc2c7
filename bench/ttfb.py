"""An asyncio HTTP/1.1 client measuring time to first byte of streamed answers.

wrk only sees whole responses; a stream's first event is what a person waits for.
Each of `connections` keep-alive connections sends requests back to back until the
time is up. TTFB is the arrival of the first body chunk (the first SSE event), not of
the headers, which a gateway may send before it has anything to say.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import uvloop

MAX_REQUESTS = 200_000  # a bound on the loop whatever the duration


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    body: bytes
    ttfb: float
    total: float


def request_bytes(url: str, body: bytes, headers: tuple[str, ...]) -> bytes:
    parts = urlsplit(url)
    lines = [f"POST {parts.path} HTTP/1.1", f"Host: {parts.netloc}", "Content-Type: application/json"]
    lines += [*headers, f"Content-Length: {len(body)}", "", ""]
    return "\r\n".join(lines).encode() + body


async def exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, raw: bytes) -> Answer:
    """One request on an open connection; the answer read whole, chunked or not."""
    started = time.perf_counter()
    writer.write(raw)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    lower = head.lower()
    if b"transfer-encoding: chunked" not in lower:
        length = (
            int(lower.split(b"content-length:")[1].split(b"\r\n")[0]) if b"content-length:" in lower else 0
        )
        body = await reader.readexactly(length)
        now = time.perf_counter() - started
        return Answer(status, body, now, now)
    chunks: list[bytes] = []
    ttfb = 0.0
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        data = await reader.readexactly(size + 2)
        if size == 0:
            return Answer(status, b"".join(chunks), ttfb, time.perf_counter() - started)
        if not chunks:
            ttfb = time.perf_counter() - started
        chunks.append(data[:-2])


async def _connection(
    host: str, port: int, raw: bytes, deadline: float, out: list[tuple[float, float]]
) -> None:
    reader, writer = await asyncio.open_connection(host, port, limit=1 << 22)
    try:
        while time.perf_counter() < deadline and len(out) < MAX_REQUESTS:
            answer = await exchange(reader, writer, raw)
            if answer.status != 200:
                raise RuntimeError(f"status {answer.status}: {answer.body[:300]!r}")
            out.append((answer.ttfb, answer.total))
    finally:
        writer.close()


async def _measure(url: str, raw: bytes, connections: int, seconds: float) -> list[tuple[float, float]]:
    parts = urlsplit(url)
    out: list[tuple[float, float]] = []
    deadline = time.perf_counter() + seconds
    assert parts.hostname is not None and parts.port is not None
    tasks = [_connection(parts.hostname, parts.port, raw, deadline, out) for _ in range(connections)]
    async with asyncio.timeout(seconds + 60):
        await asyncio.gather(*tasks)
    return out


def measure(
    url: str, body: bytes, headers: tuple[str, ...], connections: int, seconds: float
) -> list[tuple[float, float]]:
    """(ttfb, total) in seconds for every request completed in `seconds`."""
    return uvloop.run(_measure(url, request_bytes(url, body, headers), connections, seconds))


async def _once(url: str, raw: bytes) -> Answer:
    parts = urlsplit(url)
    assert parts.hostname is not None and parts.port is not None
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port, limit=1 << 22)
    try:
        async with asyncio.timeout(30):
            return await exchange(reader, writer, raw)
    finally:
        writer.close()


def once(url: str, body: bytes, headers: tuple[str, ...]) -> Answer:
    """One request, for checking what a target answers before measuring it."""
    return uvloop.run(_once(url, request_bytes(url, body, headers)))

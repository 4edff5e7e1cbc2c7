"""ASGI answers with the timing faults a test can script: a late first byte, slow chunks, a cut.

SSE frames are hand-written here rather than with dragoman.sse, so a framing mistake in
dragoman's encoder cannot hide behind the same mistake in the fake.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import orjson

Scope = dict[str, Any]


def dumps(value: Any) -> bytes:
    return orjson.dumps(value)


def sse(data: Any, event: str | None = None, *, newline: bytes = b"\n") -> bytes:
    """One SSE event: optional `event:` line, one `data:` line, blank line."""
    payload = data if isinstance(data, bytes) else dumps(data)
    head = b"event: " + event.encode() + newline if event else b""
    return head + b"data: " + payload + newline + newline


class Frames:
    """An ASGI answer sent as separate body chunks.

    `first_byte_delay` holds back even the status line. `drop_after` closes the connection
    after that many frames without finishing the body: uvicorn then closes the socket, so
    the client sees a truncated chunked body, exactly like a dropped upstream.

    A client that closes the connection before the end stops the answer, as a provider
    stops generating: `abandoned` is then True. `sent` counts the frames written, and
    `over` is set once the answer is done (sent, dropped or abandoned), for a test
    waiting in another thread.
    """

    def __init__(
        self,
        frames: Iterable[bytes],
        *,
        status: int = 200,
        headers: Mapping[str, str] | None = None,
        media_type: str = "text/event-stream",
        first_byte_delay: float = 0.0,
        chunk_delay: float = 0.0,
        drop_after: int | None = None,
    ) -> None:
        self.frames = list(frames)
        self.status = status
        self.headers = {"content-type": media_type, **(headers or {})}
        self.first_byte_delay = first_byte_delay
        self.chunk_delay = chunk_delay
        self.drop_after = drop_after
        self.sent = 0
        self.abandoned = False
        self.over = threading.Event()
        # Told once the answer is done, whichever way (the fake's count of answers at once).
        self.on_over: Callable[[], None] | None = None

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        # uvicorn ignores writes once the client is gone: only its disconnect message tells.
        answer = asyncio.ensure_future(self._answer(send))
        left = asyncio.ensure_future(_client_left(receive))
        try:
            await asyncio.wait((answer, left), return_when=asyncio.FIRST_COMPLETED)
            self.abandoned = not answer.done()
        finally:
            for task in (answer, left):
                task.cancel()
            await asyncio.gather(answer, left, return_exceptions=True)
            self.over.set()
            self._tell_over()
        if not answer.cancelled():
            answer.result()  # a failure of the fake itself is the test's to see

    async def _answer(self, send: Any) -> None:
        if self.first_byte_delay:
            await asyncio.sleep(self.first_byte_delay)
        raw = [(k.lower().encode(), v.encode()) for k, v in self.headers.items()]
        if self.media_type_is_stream:
            raw.append((b"cache-control", b"no-cache"))
        await send({"type": "http.response.start", "status": self.status, "headers": raw})
        for index, frame in enumerate(self.frames):
            if self.drop_after is not None and index >= self.drop_after:
                return
            if index and self.chunk_delay:
                await asyncio.sleep(self.chunk_delay)
            if index == len(self.frames) - 1 and self.drop_after is None:
                # Told before the client can have it all (a JSON body's length says when it
                # has): it may send its next request at once.
                self._tell_over()
            await send({"type": "http.response.body", "body": frame, "more_body": True})
            self.sent += 1
        if self.drop_after is not None and self.drop_after >= len(self.frames):
            return
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    def _tell_over(self) -> None:
        told, self.on_over = self.on_over, None
        if told is not None:
            told()

    @property
    def media_type_is_stream(self) -> bool:
        return self.headers["content-type"].startswith("text/event-stream")


async def _client_left(receive: Any) -> None:
    # A request body not read yet comes first; a finished answer also reads as a disconnect.
    while (await receive())["type"] != "http.disconnect":
        pass


def json_answer(
    body: Any,
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
    first_byte_delay: float = 0.0,
) -> Frames:
    """A whole JSON body (a str body is sent as plain text, for non-JSON error tests)."""
    if isinstance(body, str):
        payload, media_type = body.encode(), "text/plain; charset=utf-8"
    else:
        payload, media_type = dumps(body), "application/json"
    extra = {"content-length": str(len(payload)), **(headers or {})}
    return Frames(
        [payload], status=status, headers=extra, media_type=media_type, first_byte_delay=first_byte_delay
    )

"""Every HTTP answer dragoman gives in the tests: status, headers and body, streamed
bytes included.

In-process apps (TestClient, `tests.gateway`, `serve` run by CliRunner) are recorded at
the ASGI edge: a dragoman app is a Starlette app whose state holds a `gateway`. Apps in
another process (`serve` started with Popen, `serve --workers`) are recorded on the
client side, in httpx's transports, for the ports those processes were told to bind.
"""

from __future__ import annotations

import subprocess
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
from starlette.applications import Starlette

from tests.secret_scan.harvest import harvest
from tests.secret_scan.record import RECORDER, Buffer

_real_asgi = Starlette.__call__
_real_handle = httpx.HTTPTransport.handle_request
_real_handle_async = httpx.AsyncHTTPTransport.handle_async_request

# Ports of dragoman processes the tests started (see `commands`), each with its process
# (None for one run in-process): once that process has ended, the port may be handed
# to anything else (a fake upstream, a fake OAuth server), whose answers are not ours.
SERVE_PORTS: dict[int, subprocess.Popen[Any] | None] = {}
# Settings already harvested, by id (held, so that an id is not reused by another).
_harvested: dict[int, Any] = {}


class Answer:
    """One answer as it goes out: recorded when it ends, however it ends."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.head = ""
        self.body = Buffer()

    def start(self, status: int, headers: list[tuple[bytes, bytes]] | list[tuple[str, str]]) -> None:
        self.what += f" {status}"
        self.head = "\n".join(f"{_text(name)}: {_text(value)}" for name, value in headers)

    def done(self) -> None:
        RECORDER.add(f"http {self.what}", f"{self.head}\n\n{self.body.text()}")


def _text(value: bytes | str) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else value


async def _asgi(self: Starlette, scope: Any, receive: Any, send: Any) -> None:
    gateway = getattr(self.state, "gateway", None)
    if gateway is None or scope.get("type") != "http":
        await _real_asgi(self, scope, receive, send)
        return
    settings = getattr(gateway, "settings", None)
    if id(settings) not in _harvested:
        _harvested[id(settings)] = settings
        harvest(_dump(settings), "settings")
    answer = Answer(f"{scope.get('method')} {scope.get('path')}")

    async def record(message: Any) -> None:
        if message["type"] == "http.response.start":
            answer.start(message["status"], message.get("headers", []))
        elif message["type"] == "http.response.body":
            answer.body.write(message.get("body", b""))
        await send(message)

    try:
        await _real_asgi(self, scope, receive, record)
    finally:
        answer.done()


def _dump(settings: Any) -> Any:
    return settings.model_dump() if hasattr(settings, "model_dump") else None


class _Tee(httpx.SyncByteStream):
    def __init__(self, stream: Any, answer: Answer) -> None:
        self.stream, self.answer = stream, answer

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.stream:
            self.answer.body.write(chunk)
            yield chunk

    def close(self) -> None:
        try:
            self.stream.close()
        finally:
            self.answer.done()


class _AsyncTee(httpx.AsyncByteStream):
    def __init__(self, stream: Any, answer: Answer) -> None:
        self.stream, self.answer = stream, answer

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self.stream:
            self.answer.body.write(chunk)
            yield chunk

    async def aclose(self) -> None:
        try:
            await self.stream.aclose()
        finally:
            self.answer.done()


def _answer_of(request: httpx.Request, response: httpx.Response) -> Answer | None:
    if not _served_by_dragoman(request.url.port):
        return None
    answer = Answer(f"{request.method} {request.url.path} (served by another process)")
    answer.start(response.status_code, list(response.headers.raw))
    return answer


def _served_by_dragoman(port: int | None) -> bool:
    if port not in SERVE_PORTS:
        return False
    process = SERVE_PORTS[port]
    return process is None or process.poll() is None


def _handle(self: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
    response = _real_handle(self, request)
    answer = _answer_of(request, response)
    if answer is not None:
        response.stream = _Tee(response.stream, answer)
    return response


async def _handle_async(self: httpx.AsyncHTTPTransport, request: httpx.Request) -> httpx.Response:
    response = await _real_handle_async(self, request)
    answer = _answer_of(request, response)
    if answer is not None:
        response.stream = _AsyncTee(response.stream, answer)
    return response


def install() -> None:
    Starlette.__call__ = _asgi  # type: ignore[method-assign]
    httpx.HTTPTransport.handle_request = _handle  # type: ignore[method-assign]
    httpx.AsyncHTTPTransport.handle_async_request = _handle_async  # type: ignore[method-assign]


def uninstall() -> None:
    Starlette.__call__ = _real_asgi  # type: ignore[method-assign]
    httpx.HTTPTransport.handle_request = _real_handle  # type: ignore[method-assign]
    httpx.AsyncHTTPTransport.handle_async_request = _real_handle_async  # type: ignore[method-assign]

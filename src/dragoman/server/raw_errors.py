"""Errors answered beneath the app (`server.connections`), where a request's path and the
part of its headers that came are all there is to tell its dialect by.

The answer is the dialect's error body, as the app would draw it, and closes the
connection: after a head too large or too slow, what the client sends next cannot be
told apart from the rest of that request.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from http import HTTPStatus

import orjson
from starlette.types import ASGIApp, Receive, Scope, Send

from dragoman import dialects
from dragoman.ir.errors import GatewayError

# Where in a path each dialect's endpoints are (under any base path); the rest is Chat's.
PATH_DIALECTS: tuple[tuple[bytes, str], ...] = (
    (b"/v1/messages", "anthropic"),
    (b"/v1/responses", "openai_responses"),
    (b"/v1beta/", "gemini"),
    (b":generateContent", "gemini"),
    (b":streamGenerateContent", "gemini"),
)
# Headers that only one dialect's clients send.
HEADER_DIALECTS: dict[bytes, str] = {b"anthropic-version": "anthropic", b"x-goog-api-key": "gemini"}

Headers = Sequence[tuple[bytes, bytes]]


def dialect_of(url: bytes, headers: Headers) -> str:
    """The dialect of the request `url` (its target as sent) and `headers` (names lowercase)."""
    path = url.partition(b"?")[0]
    for part, name in PATH_DIALECTS:
        if part in path:
            return name
    for header, _ in headers:
        if header in HEADER_DIALECTS:
            return HEADER_DIALECTS[header]
    return "openai_chat"


def rendered(
    error: GatewayError, url: bytes, headers: Headers
) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """Status, headers and body of `error` in the request's dialect, closing the connection."""
    status, body = dialects.get(dialect_of(url, headers)).error.render(error)
    content = orjson.dumps(body)
    fields = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(content)).encode()),
        (b"connection", b"close"),
    ]
    if error.retry_after is not None:
        fields.append((b"retry-after", str(max(0, math.ceil(error.retry_after))).encode()))
    return status, fields, content


def error_bytes(error: GatewayError, url: bytes, headers: Headers) -> bytes:
    """The whole HTTP/1.1 response, to write on the socket as it is."""
    status, fields, content = rendered(error, url, headers)
    head = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}".encode()]
    head += [name + b": " + value for name, value in fields]
    return b"\r\n".join(head) + b"\r\n\r\n" + content


def error_app(error: GatewayError) -> ASGIApp:
    """An ASGI app answering every request with `error`, in the request's dialect."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        status, fields, content = rendered(error, scope.get("raw_path", b""), scope.get("headers", []))
        await send({"type": "http.response.start", "status": status, "headers": fields})
        await send({"type": "http.response.body", "body": content})

    return app

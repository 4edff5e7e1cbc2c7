"""The loopback listener a provider redirects the browser to after a login.

It binds 127.0.0.1 on the port registered for the provider's client and answers one
path. A redirect carrying this login's state and a code ends the wait; a wrong state is
refused (400 "State mismatch") and the wait goes on, so a stray or forged redirect
cannot end a login; an `error=` redirect ends it with the provider's reason.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
from urllib.parse import parse_qs, urlsplit

READ_SECONDS = 10.0
MAX_REQUEST_BYTES = 16 * 1024

PAGE = (
    "<!doctype html><html><head><meta charset='utf-8'><title>dragoman</title></head>"
    "<body style='font-family:sans-serif;margin:3em'><h2>{title}</h2><p>{text}</p></body></html>"
)


class LoginError(Exception):
    """A login that cannot finish: refused, cancelled, timed out or mismatched."""


class CallbackListener:
    """Start with `await CallbackListener.start(...)`; `wait()` gives the code."""

    def __init__(self, path: str, state: str) -> None:
        self.path = path
        self.state = state
        self.port = 0
        self._code: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        # The redirect's whole query, once one ended the wait (Kiro's names the login option).
        self.query: dict[str, list[str]] = {}
        self._server: asyncio.Server | None = None

    @classmethod
    async def start(cls, port: int | None, path: str, state: str) -> CallbackListener:
        """Listen on 127.0.0.1:`port` (None or 0: any free port). OSError if taken."""
        listener = cls(path, state)
        listener._server = await asyncio.start_server(listener._serve, "127.0.0.1", port or 0)
        listener.port = listener._server.sockets[0].getsockname()[1]
        return listener

    async def wait(self) -> str:
        return await asyncio.shield(self._code)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()
            self._server = None
        if not self._code.done():
            self._code.cancel()
        elif not self._code.cancelled():
            self._code.exception()  # seen: a refusal after the paste won is no news

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            async with asyncio.timeout(READ_SECONDS):
                head = await reader.readuntil(b"\r\n\r\n")
            status, title, text = self._answer(head[:MAX_REQUEST_BYTES].decode("latin-1"))
        except (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            status, title, text = 400, "Bad request", "The request could not be read."
        await _respond(writer, status, title, text)

    def _answer(self, head: str) -> tuple[int, str, str]:
        method, _, rest = head.partition(" ")
        target = rest.partition(" ")[0]
        parts = urlsplit(target)
        if method != "GET":
            return 405, "Not allowed", "Only GET is answered here."
        if parts.path == "/cancel":
            self._finish(LoginError("cancelled: another login started on this port"))
            return 200, "Cancelled", "This login was cancelled."
        if parts.path != self.path:
            return 404, "Not found", "This is dragoman's login listener."
        return self._redirect(parse_qs(parts.query))

    def _redirect(self, params: dict[str, list[str]]) -> tuple[int, str, str]:
        if "error" in params:
            reason = (params.get("error_description") or params["error"])[0]
            self._finish(LoginError(f"the provider refused the login: {reason}"))
            return 400, "Login refused", reason
        if (params.get("state") or [""])[0] != self.state:
            return 400, "State mismatch", "This redirect does not belong to the login in progress."
        code = (params.get("code") or [""])[0]
        if not code:
            return 400, "No code", "The redirect carries no authorization code."
        self.query = params
        self._finish(code)
        return 200, "Logged in", "dragoman has your login. You can close this tab."

    def _finish(self, outcome: str | Exception) -> None:
        if self._code.done():
            return
        if isinstance(outcome, Exception):
            self._code.set_exception(outcome)
        else:
            self._code.set_result(outcome)


async def _respond(writer: asyncio.StreamWriter, status: int, title: str, text: str) -> None:
    body = PAGE.format(title=html.escape(title), text=html.escape(text)).encode()
    head = (
        f"HTTP/1.1 {status} {title}\r\ncontent-type: text/html; charset=utf-8\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\ncache-control: no-store\r\n\r\n"
    )
    with contextlib.suppress(ConnectionError):
        writer.write(head.encode("latin-1") + body)
        await writer.drain()
    writer.close()
    with contextlib.suppress(ConnectionError):
        await writer.wait_closed()

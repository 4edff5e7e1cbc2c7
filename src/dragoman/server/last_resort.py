"""The answer to an exception nothing below drew: a plain 500, and the exception passed
on for uvicorn to log.

Starlette's own `ServerErrorMiddleware` does the same, but learns whether the answer
has begun by wrapping `send`: a closure per request and one more call and await per
ASGI message, 22 of them for a stream of 20 chunks. The request's `Exchange` already
knows (its status is set as the answer's head goes out), so this one reads it there.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send


class LastResort:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        except Exception:
            if scope["type"] == "http" and not _answer_begun(scope):
                await PlainTextResponse("Internal Server Error", status_code=500)(scope, receive, send)
            raise


class GatewayApp(Starlette):
    """Starlette, with `LastResort` where its stack puts `ServerErrorMiddleware`."""

    def build_middleware_stack(self) -> ASGIApp:
        stack = super().build_middleware_stack()
        # Only the default one is replaced: a debug page or a 500 handler of the app's
        # own would still need Starlette's.
        if isinstance(stack, ServerErrorMiddleware) and not stack.debug and stack.handler is None:
            return LastResort(stack.app)
        return stack


def _answer_begun(scope: Scope) -> bool:
    exchange = scope.get("state", {}).get("exchange")
    return exchange is not None and exchange.status != 0

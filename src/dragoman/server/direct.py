"""The endpoints a request reaches by its method and path alone, called without Starlette's
router between.

Every model request goes through the router's layers: the exception middleware, a route
by route match, and two wrapping closures per endpoint, each adding a call and an await
per ASGI message. For a served path with no parameter, whose endpoint draws its own
errors in its dialect (`routes._guarded`), those layers decide nothing: this middleware,
placed just above them, looks the pair up in a dict and calls the endpoint itself. Any
other request goes on to the router as before.

The table is built from the router's own: a pair is taken only where Starlette would
pick the same route (the first full match), so the answer is the router's.
"""

from __future__ import annotations

import inspect
from collections.abc import Collection, Iterable, Mapping

from starlette.requests import Request as HttpRequest
from starlette.routing import BaseRoute, Match, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from dragoman.server.unrouted import Handler

# (method, path) -> the endpoint serving it.
DirectTable = Mapping[tuple[str, str], Handler]


class DirectRoutes:
    def __init__(self, app: ASGIApp, table: DirectTable) -> None:
        self.app = app
        self.table = table

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        endpoint = self.table.get((scope["method"], scope["path"])) if scope["type"] == "http" else None
        if endpoint is None or scope.get("root_path"):  # under one, the router strips it first
            await self.app(scope, receive, send)
            return
        response = await endpoint(HttpRequest(scope, receive, send))
        await response(scope, receive, send)


def direct_table(
    table: Iterable[BaseRoute], own_errors: Collection[Handler]
) -> dict[tuple[str, str], Handler]:
    """The (method, path) pairs of the parameterless routes whose endpoints are in
    `own_errors`, each mapped to its endpoint where the router would pick that route."""
    routes = list(table)
    direct: dict[tuple[str, str], Handler] = {}
    for route in routes:
        if not _plain(route, own_errors):
            continue
        assert isinstance(route, Route) and route.methods is not None
        for method in route.methods:
            if _first_full_match(routes, route.path, method) is route:
                direct[(method, route.path)] = route.endpoint
    return direct


def _plain(route: BaseRoute, own_errors: Collection[Handler]) -> bool:
    """A route of one fixed path, calling a coroutine function that draws its own errors."""
    return (
        isinstance(route, Route)
        and not route.param_convertors
        and route.methods is not None
        and route.endpoint in own_errors
        and inspect.iscoroutinefunction(route.endpoint)
    )


def _first_full_match(routes: list[BaseRoute], path: str, method: str) -> BaseRoute | None:
    scope = {"type": "http", "path": path, "root_path": "", "method": method}
    return next((route for route in routes if route.matches(scope)[0] == Match.FULL), None)

"""Requests no endpoint takes: 405 for a method an endpoint does not take, with `Allow`
and in that endpoint's dialect; 404 for a path none serves (never a redirect).

The refusals are routes of their own, placed after every served route: Starlette stops
at the first full match, so the requests dragoman serves never reach them.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable

from starlette.exceptions import HTTPException
from starlette.requests import Request as HttpRequest
from starlette.responses import Response
from starlette.routing import Route

from dragoman.ir.errors import MethodNotAllowed, NotFound
from dragoman.server.errors import error_response
from dragoman.server.exchange import exchange_of
from dragoman.server.model_list import asker, gemini_method

# A dialect, or how to tell it from the request.
Asker = str | Callable[[HttpRequest], str]
Handler = Callable[[HttpRequest], Awaitable[Response]]
# An endpoint as the route table lists it: path, methods, dialect of its errors.
Endpoint = tuple[str, tuple[str, ...], Asker]

# The name of every refusal route: what tells them from served routes in the routing table.
REFUSAL = "refusal"
_PARAMETER = re.compile(r"\{(\w+)(:\w+)?\}")


def refusals(endpoints: Iterable[Endpoint]) -> list[Route]:
    """For each endpoint path, a route answering 405 to every method none of its
    endpoints take (paths that differ only in parameter names are one path)."""
    groups: dict[str, tuple[set[str], Asker]] = {}
    for path, methods, dialect in endpoints:
        allowed, _ = groups.setdefault(_PARAMETER.sub(r"{_\2}", path), (set(), dialect))
        allowed.update(methods)
    return [
        _any_method(path, _refusal(dialect, tuple(sorted(allowed))))
        for path, (allowed, dialect) in groups.items()
    ]


def _any_method(path: str, endpoint: Handler) -> Route:
    """A route taking every method: the served routes come first, so it gets only the
    methods they do not take, TRACE or any other token a client sends included.
    (Starlette reads `methods=None` as GET; no `methods` at all is every method.)"""
    route = Route(path, endpoint, name=REFUSAL)
    route.methods = None
    return route


def _refusal(dialect: Asker, allowed: tuple[str, ...]) -> Handler:
    async def endpoint(http: HttpRequest) -> Response:
        name = dialect if isinstance(dialect, str) else dialect(http)
        exchange_of(http.scope).dialect = name
        return error_response(not_allowed(http, _narrowed(http, allowed)), name)

    return endpoint


def _narrowed(http: HttpRequest, allowed: tuple[str, ...]) -> tuple[str, ...]:
    """Under `/models/`, GET reads a model and POST calls a Gemini method: the path says which."""
    if allowed != ("GET", "POST"):
        return allowed
    return ("POST",) if gemini_method(http.url.path) else ("GET",)


def not_allowed(http: HttpRequest, allowed: tuple[str, ...]) -> MethodNotAllowed:
    return MethodNotAllowed(f"{http.url.path} takes {' or '.join(allowed)}, not {http.method}", allow=allowed)


async def not_found(http: HttpRequest, exc: Exception) -> Response:
    return error_response(NotFound(f"no such endpoint: {http.method} {http.url.path}"), asker(http))


async def method_not_allowed(http: HttpRequest, exc: Exception) -> Response:
    """A 405 no refusal route drew (Starlette's own, from a route's method check)."""
    headers = exc.headers if isinstance(exc, HTTPException) else None
    allowed = tuple((headers or {}).get("Allow", "").split(", "))
    return error_response(not_allowed(http, allowed), asker(http))

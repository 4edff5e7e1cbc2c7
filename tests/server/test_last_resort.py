"""The last resort: an exception nothing drew is a plain 500 while no answer has begun,
and is passed on either way (for uvicorn to log)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from starlette.middleware import Middleware
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from dragoman.server.last_resort import GatewayApp, LastResort
from dragoman.server.middleware import ExchangeMiddleware


class Broken(Exception):
    pass


async def fails(request: Request) -> Response:
    raise Broken("before any byte")


async def fails_midway(request: Request) -> Response:
    async def body() -> AsyncIterator[bytes]:
        yield b"begun"
        raise Broken("mid-answer")

    return StreamingResponse(body())


def app(debug: bool = False) -> GatewayApp:
    routes = [Route("/fails", fails), Route("/midway", fails_midway)]
    return GatewayApp(routes=routes, middleware=[Middleware(ExchangeMiddleware)], debug=debug)


def test_an_exception_before_the_answer_is_a_plain_500() -> None:
    client = TestClient(app(), raise_server_exceptions=False)
    response = client.get("/fails")
    assert (response.status_code, response.text) == (500, "Internal Server Error")
    assert response.headers["content-type"].startswith("text/plain")


def test_the_exception_is_passed_on_for_the_server_to_log() -> None:
    with pytest.raises(Broken, match="before any byte"):
        TestClient(app()).get("/fails")


def test_an_answer_already_begun_is_not_followed_by_a_500() -> None:
    """The head went out: a second one would be a protocol error, so only the exception goes on."""
    client = TestClient(app(), raise_server_exceptions=False)
    response = client.get("/midway")
    assert response.status_code == 200
    assert response.content == b"begun"
    with pytest.raises(Broken, match="mid-answer"):
        TestClient(app()).get("/midway")


def test_it_stands_where_starlette_puts_its_own() -> None:
    built = app().build_middleware_stack()
    assert isinstance(built, LastResort) and isinstance(built.app, ExchangeMiddleware)


def test_a_debug_app_keeps_starlettes_traceback_page() -> None:
    assert isinstance(app(debug=True).build_middleware_stack(), ServerErrorMiddleware)

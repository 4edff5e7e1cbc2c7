"""The endpoints reached by method and path alone: which the table takes, and that a
request outside it still goes through the router."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient

from dragoman.server.direct import DirectRoutes, direct_table
from dragoman.server.routes import route_table


async def own(request: Request) -> Response:
    return PlainTextResponse(f"own {request.method} {request.url.path}")


async def other(request: Request) -> Response:
    return PlainTextResponse("other")


async def parameter(request: Request) -> Response:
    return PlainTextResponse(f"parameter {request.path_params['name']}")


def test_the_served_model_endpoints_are_reached_directly() -> None:
    table, direct = route_table()
    models = {("POST", "/v1/chat/completions"), ("POST", "/v1/messages"), ("POST", "/v1/responses")}
    assert models <= set(direct)
    assert direct[("POST", "/v1/chat/completions")] is next(
        route.endpoint for route in table if isinstance(route, Route) and route.path == "/v1/chat/completions"
    )


def test_an_endpoint_that_does_not_draw_its_own_errors_is_left_to_the_router() -> None:
    _, direct = route_table()
    assert ("GET", "/healthz") not in direct and ("GET", "/metrics") not in direct


def test_a_path_with_parameters_is_left_to_the_router() -> None:
    _, direct = route_table()
    assert not [path for _, path in direct if "{" in path]


def test_a_get_route_is_reached_by_head_as_the_router_does() -> None:
    routes = [Route("/thing", own, methods=["GET"])]
    assert set(direct_table(routes, {own})) == {("GET", "/thing"), ("HEAD", "/thing")}


def test_a_pair_an_earlier_route_matches_is_not_taken() -> None:
    """Starlette answers with the first full match: a parameter route listed first wins."""
    routes = [
        Route("/items/{name}", parameter, methods=["POST"]),
        Route("/items/fixed", own, methods=["POST"]),
    ]
    assert direct_table(routes, {own, parameter}) == {}
    client = TestClient(app(routes))
    assert client.post("/items/fixed").text == "parameter fixed"


def test_a_direct_request_gets_the_endpoints_answer_and_others_the_routers() -> None:
    routes = [Route("/own", own, methods=["POST"]), Route("/other", other, methods=["POST"])]
    client = TestClient(app(routes, own_errors={own}))
    assert client.post("/own").text == "own POST /own"
    assert client.post("/other").text == "other"
    assert client.get("/own").status_code == 405  # the router's refusal, not the endpoint's


def test_a_request_under_a_root_path_goes_through_the_router() -> None:
    """Under a root path the router matches what follows it: /a/b is /b there, which no
    route serves, though /a/b is in the table."""
    routes = [Route("/a/b", own, methods=["POST"])]
    client = TestClient(app(routes, own_errors={own}), root_path="/a")
    assert client.post("/a/b").status_code == 404


def app(routes: list[Route], own_errors: set[object] | None = None) -> Starlette:
    table = direct_table(routes, own_errors or set())  # type: ignore[arg-type]
    return Starlette(routes=routes, middleware=[Middleware(DirectRoutes, table=table)])

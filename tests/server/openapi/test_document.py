"""The OpenAPI description against the app's own routing table, both ways: every route
the app serves is described, and every described operation is one the app routes to
the route it names. And it is served, behind the admin key."""

from __future__ import annotations

import re
from collections.abc import Callable

from openapi_spec_validator import validate
from starlette.routing import Match, Mount, Route
from starlette.testclient import TestClient

from dragoman.server.openapi.document import build
from dragoman.server.openapi.operations import operations
from dragoman.server.unrouted import REFUSAL
from tests.secret_scan.registry import register

KEY = "openapi-admin-key-2468"
register(KEY, "the openapi tests' admin key")
_PARAMETER = re.compile(r"\{(\w+)\}")


def routed(client: TestClient) -> set[tuple[str, str]]:
    """(route path, method) for every route the app serves; refusals are not served."""
    found: set[tuple[str, str]] = set()
    for route in client.app.routes:  # type: ignore[attr-defined]
        if isinstance(route, Mount):
            found |= {(f"{route.path}/{{file:path}}", method) for method in ("GET", "HEAD")}
        elif isinstance(route, Route) and route.name != REFUSAL:
            found |= {(route.path, method) for method in route.methods or ()}
    return found


def described() -> set[tuple[str, str]]:
    return {(operation.route, operation.method) for operation in operations()}


def test_every_route_is_described(make_client: Callable[..., TestClient]) -> None:
    documented = described()
    # Starlette answers HEAD wherever it serves GET: that HEAD is the GET's.
    implied = {(route, "HEAD") for route, method in documented if method == "GET"}
    missing = routed(make_client()) - documented - implied
    assert not missing, f"routes the OpenAPI description leaves out: {sorted(missing)}"


def test_nothing_described_is_unrouted(make_client: Callable[..., TestClient]) -> None:
    extra = described() - routed(make_client())
    assert not extra, f"described, but no such route: {sorted(extra)}"


def first_route(client: TestClient, path: str, method: str) -> str | None:
    """The path of the route the app picks for this request, as Starlette would."""
    scope = {"type": "http", "path": path, "root_path": "", "method": method}
    for route in client.app.routes:  # type: ignore[attr-defined]
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return f"{route.path}/{{file:path}}" if isinstance(route, Mount) else str(route.path)
    return None


def test_each_described_path_reaches_its_route(make_client: Callable[..., TestClient]) -> None:
    """`/v1beta/models/{model}:generateContent` is served by `/v1beta/models/{target:path}`:
    a documented path, filled in, goes to the route its operation names."""
    client = make_client()
    wrong = []
    for operation in operations():
        path = _PARAMETER.sub("some-value", operation.documented_path)
        reached = first_route(client, path, operation.method)
        if reached != operation.route:
            wrong.append(f"{operation.method} {path}: {reached}, not {operation.route}")
    assert not wrong, "\n".join(wrong)


def test_the_description_is_valid_openapi_3_1() -> None:
    document = build("gpt-4.1")
    validate(document)
    assert document["openapi"] == "3.1.0"
    chat = document["paths"]["/v1/chat/completions"]["post"]
    body = chat["requestBody"]["content"]["application/json"]
    assert body["example"]["model"] == "gpt-4.1"
    assert set(document["components"]["schemas"]["openai_chat.Message"]["properties"]) >= {"role", "content"}


def test_the_description_is_served_behind_the_admin_key(make_client: Callable[..., TestClient]) -> None:
    client = make_client(api_keys=[KEY])
    refused = client.get("/openapi.json")
    assert refused.status_code == 401
    assert "missing API key" in refused.json()["error"]["message"]
    served = client.get("/openapi.json", headers={"authorization": f"Bearer {KEY}"})
    assert served.status_code == 200, served.text
    assert served.json()["paths"]["/v1/messages"]["post"]["x-dragoman-dialect"] == "anthropic"
    generate = served.json()["paths"]["/v1beta/models/{model}:generateContent"]["post"]
    assert generate["requestBody"]["content"]["application/json"]["example"]["contents"]

"""The dashboard's routes and its cookie at the HTTP level (in-process): the page and
its assets, the login that gives the cookie only for a right key from this origin, the
routes the cookie opens (and those it does not), and the CSRF check on changes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from dragoman.config import load
from dragoman.observe.web.routes import STATIC
from dragoman.server.app import build_gateway, create_app

KEY = "local-ui-routes-key-93ad"
ORIGIN = {"origin": "http://testserver"}
LOCAL = {"kind": "openai_compatible", "base_url": "http://127.0.0.1:9/v1", "models": ["local-model"]}


def client_of(**overrides: Any) -> TestClient:
    settings = load(overrides={"providers": {"local": LOCAL}, **overrides})
    return TestClient(create_app(build_gateway(settings, environ={})), raise_server_exceptions=False)


@pytest.fixture
def client() -> Iterator[TestClient]:
    with client_of(api_keys=[KEY]) as started:
        yield started


@pytest.fixture
def logged_in(client: TestClient) -> TestClient:
    answer = client.post("/ui/login", json={"key": KEY}, headers=ORIGIN)
    assert answer.status_code == 204
    return client


def csrf(client: TestClient) -> str:
    token: str = client.get("/ui/session").json()["csrf"]
    return token


def test_the_page_and_its_assets_are_served_from_the_package(client: TestClient) -> None:
    for path in ("/ui", "/ui/live", "/ui/requests/abc", "/ui/accounts"):
        page = client.get(path)
        assert page.status_code == 200 and page.text == (STATIC / "index.html").read_text()
        assert "default-src 'self'" in page.headers["content-security-policy"]
    script = client.get("/ui/static/views/accounts.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert script.headers["cache-control"] == "no-cache"
    again = client.get("/ui/static/views/accounts.js", headers={"if-none-match": script.headers["etag"]})
    assert again.status_code == 304
    assert client.get("/ui/static/style.css").headers["content-type"].startswith("text/css")
    assert client.get("/ui/static/nothing.js").status_code == 404
    modules = sorted(path.name for path in (STATIC / "views").glob("*.js"))
    assert modules == ["accounts.js", "keys.js", "live.js", "login.js", "models.js", "request.js", "usage.js"]


def test_a_wrong_or_missing_key_gets_no_cookie(client: TestClient) -> None:
    for body in ({"key": "wrong"}, {"key": ""}, {}, ["key"]):
        answer = client.post("/ui/login", json=body, headers=ORIGIN)
        assert answer.status_code == 401 and "wrong key" in answer.json()["error"]["message"]
        assert "set-cookie" not in answer.headers
    assert client.post("/ui/login", content=b"key=" + KEY.encode(), headers=ORIGIN).status_code == 401
    assert client.get("/ui/session").status_code == 401
    assert client.get("/v1/admin/accounts").status_code == 401


def test_a_login_from_another_origin_is_refused_even_with_the_right_key(client: TestClient) -> None:
    for headers in ({"origin": "http://evil.example"}, {}):
        answer = client.post("/ui/login", json={"key": KEY}, headers=headers)
        assert answer.status_code == 403 and "set-cookie" not in answer.headers


def test_the_cookie_is_http_only_strict_and_opens_only_the_dashboards_routes(logged_in: TestClient) -> None:
    cookie = logged_in.post("/ui/login", json={"key": KEY}, headers=ORIGIN).headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    assert KEY not in cookie
    assert logged_in.get("/ui/session").json()["auth"] == "cookie"
    for path in ("/v1/admin/accounts", "/v1/admin/models", "/v1/traces", "/v1/usage", "/v1/models"):
        assert logged_in.get(path).status_code == 200, path
    body = {"model": "local-model", "messages": [{"role": "user", "content": "hi"}]}
    assert logged_in.post("/v1/chat/completions", json=body).status_code == 401
    assert logged_in.get("/metrics").status_code == 401


def test_a_change_by_cookie_needs_the_csrf_token_and_this_origin(logged_in: TestClient) -> None:
    token = csrf(logged_in)
    path = "/v1/admin/accounts/local"
    refused = [
        logged_in.patch(path, json={"priority": 2}, headers=ORIGIN),
        logged_in.patch(path, json={"priority": 2}, headers={**ORIGIN, "x-csrf-token": token + "x"}),
        logged_in.patch(path, json={"priority": 2}, headers={"x-csrf-token": token}),
        logged_in.patch(
            path, json={"priority": 2}, headers={"x-csrf-token": token, "origin": "http://evil.example"}
        ),
        logged_in.post(path + "/disable", headers=ORIGIN),
    ]
    assert [answer.status_code for answer in refused] == [403] * 5
    assert "CSRF" in refused[0].json()["error"]["message"]
    assert logged_in.get(path).json()["policy"] == {
        "priority": 1,
        "weight": 1.0,
        "max_concurrent": None,
        "enabled": True,
    }
    changed = logged_in.patch(path, json={"priority": 2}, headers={**ORIGIN, "x-csrf-token": token})
    assert changed.status_code == 200 and changed.json()["policy"]["priority"] == 2
    referred = {"referer": "http://testserver/ui/accounts", "x-csrf-token": token}
    assert logged_in.post(path + "/disable", headers=referred).json()["policy"]["enabled"] is False


def test_the_key_header_still_needs_no_csrf_token(client: TestClient) -> None:
    answer = client.post("/v1/admin/accounts/local/disable", headers={"authorization": f"Bearer {KEY}"})
    assert answer.status_code == 200


def test_logging_out_clears_the_cookie(logged_in: TestClient) -> None:
    assert logged_in.post("/ui/logout", headers={"origin": "http://evil.example"}).status_code == 403
    answer = logged_in.post("/ui/logout", headers=ORIGIN)
    assert answer.status_code == 204 and 'dragoman_session=""' in answer.headers["set-cookie"]
    assert logged_in.get("/ui/session").status_code == 401
    assert logged_in.get("/v1/admin/accounts").status_code == 401


def test_with_no_key_configured_the_dashboard_is_open_to_its_own_page_only() -> None:
    own = "http://127.0.0.1:4800"
    with client_of() as client:
        client.base_url = own
        assert client.get("/ui/session").json() == {"auth": "open", "csrf": None}
        disable = "/v1/admin/accounts/local/disable"
        assert client.post(disable).status_code == 200  # a script: no page sent it
        assert client.post(disable, headers={"origin": own}).status_code == 200
        assert client.post(disable, headers={"referer": own + "/ui/accounts"}).status_code == 200
        other_site = client.post(disable, headers={"origin": "http://evil.example"})
        assert other_site.status_code == 403 and "another origin" in other_site.json()["error"]["message"]
        # DNS rebinding: the same origin, under a name that is not loopback.
        client.base_url = "http://rebound.example:4800"
        rebound = client.post(disable, headers={"origin": "http://rebound.example:4800"})
        assert rebound.status_code == 403
        assert client.get("/v1/admin/accounts").status_code == 200

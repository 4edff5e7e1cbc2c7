"""The gateway's own key, accepted in each dialect's convention."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from starlette.testclient import TestClient

KEY = "local-secret-1234"
# The messages say what to do: where the keys come from, and every way to send one.
MISSING = (
    "missing API key: send one of the keys given to `dragoman serve --api-key` "
    "(as Authorization: Bearer, x-api-key, x-goog-api-key or ?key=)"
)
INVALID = "invalid API key: it matches none of the keys this dragoman accepts"


@pytest.mark.parametrize(
    ("headers", "params"),
    [
        ({"authorization": f"Bearer {KEY}"}, {}),
        ({"x-api-key": KEY}, {}),
        ({"x-goog-api-key": KEY}, {}),
        ({}, {"key": KEY}),
    ],
    ids=["bearer", "x-api-key", "x-goog-api-key", "query-key"],
)
def test_each_convention_is_accepted(
    make_client: Callable[..., TestClient], headers: dict[str, str], params: dict[str, str]
) -> None:
    client = make_client(api_keys=[KEY, "another-key-5678"])
    response = client.get("/v1/models", headers=headers, params=params)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("path", "headers", "shape"),
    [
        ("/v1/chat/completions", {}, "openai"),
        ("/v1/responses", {}, "openai"),
        ("/v1/messages", {}, "anthropic"),
        ("/v1beta/models/local-model:generateContent", {}, "gemini"),
    ],
)
def test_a_missing_key_is_401_in_the_route_dialect(
    make_client: Callable[..., TestClient], path: str, headers: dict[str, str], shape: str
) -> None:
    client = make_client(api_keys=[KEY])
    response = client.post(path, json={}, headers=headers)
    assert response.status_code == 401
    body = response.json()
    if shape == "openai":
        assert body["error"]["type"] == "authentication_error"
        assert body["error"]["message"] == MISSING
    elif shape == "anthropic":
        assert body["type"] == "error" and body["error"]["type"] == "authentication_error"
    else:
        assert body["error"]["code"] == 401 and body["error"]["status"] == "UNAUTHENTICATED"


def test_a_wrong_key_is_401_and_not_echoed(make_client: Callable[..., TestClient]) -> None:
    client = make_client(api_keys=[KEY])
    response = client.post("/v1/messages", json={}, headers={"x-api-key": "wrong-key-guess-999"})
    assert response.status_code == 401
    assert response.json()["error"]["message"] == INVALID
    assert "wrong-key-guess-999" not in response.text
    assert KEY not in response.text


def test_no_keys_configured_accepts_anything_on_loopback(make_client: Callable[..., TestClient]) -> None:
    client = make_client()
    assert client.get("/v1/models", headers={"authorization": "Bearer whatever"}).status_code == 200
    assert client.get("/v1/models").status_code == 200


def test_health_needs_no_key(make_client: Callable[..., TestClient]) -> None:
    client = make_client(api_keys=[KEY])
    assert client.get("/healthz").json() == {"status": "ok", "models": 1}

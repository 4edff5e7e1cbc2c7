"""The gateway's own key, accepted in each dialect's convention."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from starlette.testclient import TestClient

from tests.secret_scan.registry import register

KEY = "local-secret-1234"
# The messages say what to do: where the keys come from, and every way to send one.
MISSING = (
    "missing API key: send one of the keys given to `dragoman serve --api-key` or made by "
    "`dragoman keys create` (as Authorization: Bearer, x-api-key, x-goog-api-key, x-dragoman-key or ?key=)"
)
INVALID = "invalid API key: it matches none of the keys this dragoman accepts"


@pytest.mark.parametrize(
    ("headers", "params"),
    [
        ({"authorization": f"Bearer {KEY}"}, {}),
        ({"x-api-key": KEY}, {}),
        ({"x-goog-api-key": KEY}, {}),
        ({}, {"key": KEY}),
        # A client whose Authorization holds its own Claude login sends ours beside it.
        ({"x-dragoman-key": KEY, "authorization": "Bearer sk-ant-oat01-not-ours"}, {}),
    ],
    ids=["bearer", "x-api-key", "x-goog-api-key", "query-key", "x-dragoman-key"],
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


# Named keys (`dragoman keys`): the model routes only, until they expire or are revoked.
ADMIN = {"authorization": f"Bearer {KEY}"}
ADMIN_ROUTES = ["/v1/admin/accounts", "/v1/admin/keys", "/v1/traces", "/v1/usage", "/metrics", "/v1/status"]


def named_key(
    client: TestClient, name: str = "alice", headers: dict[str, str] | None = None, **options: object
) -> str:
    """A key made through the admin API; its secret, registered with the leak scan."""
    made = client.post(
        "/v1/admin/keys", json={"name": name, **options}, headers=ADMIN if headers is None else headers
    )
    assert made.status_code == 201, made.text
    secret: str = made.json()["secret"]
    register(secret, f"local key {name}")
    return secret


def test_a_named_key_opens_the_model_routes(make_client: Callable[..., TestClient]) -> None:
    client = make_client(api_keys=[KEY])
    bearer = {"authorization": f"Bearer {named_key(client)}"}
    assert client.get("/v1/models", headers=bearer).status_code == 200
    body = {"model": "local-model", "messages": [{"role": "user", "content": "hi"}]}
    counted = client.post("/v1/messages/count_tokens", headers=bearer, json=body)
    assert counted.status_code == 200, counted.text


@pytest.mark.parametrize("path", ADMIN_ROUTES)
def test_a_named_key_is_403_on_the_admin_routes(make_client: Callable[..., TestClient], path: str) -> None:
    client = make_client(api_keys=[KEY])
    refused = client.get(path, headers={"authorization": f"Bearer {named_key(client)}"})
    assert refused.status_code == 403
    assert (
        refused.json()["error"]["message"] == "key alice is not an admin key: it opens the model routes only"
    )
    assert client.get(path, headers=ADMIN).status_code == 200


def test_a_named_key_cannot_log_in_to_the_dashboard(make_client: Callable[..., TestClient]) -> None:
    client = make_client(api_keys=[KEY])
    secret = named_key(client)
    origin = {"origin": "http://testserver"}
    refused = client.post("/ui/login", json={"key": secret}, headers=origin)
    assert refused.status_code == 403 and "key alice is not an admin key" in refused.text
    assert client.post("/ui/login", json={"key": KEY}, headers=origin).status_code == 204


def test_an_expired_key_is_401_saying_when(make_client: Callable[..., TestClient]) -> None:
    client = make_client(api_keys=[KEY], time_zone="UTC")
    bearer = {"authorization": f"Bearer {named_key(client)}"}
    assert (
        client.patch("/v1/admin/keys/alice", json={"expires": "2020-01-31"}, headers=ADMIN).status_code == 200
    )
    refused = client.get("/v1/models", headers=bearer)
    assert refused.status_code == 401
    assert refused.json()["error"]["message"] == "key alice expired at 2020-01-31T00:00:00Z"


def test_a_revoked_or_rotated_secret_is_simply_unknown(make_client: Callable[..., TestClient]) -> None:
    client = make_client(api_keys=[KEY])
    alice, bob = named_key(client), named_key(client, "bob")
    rotated = client.post("/v1/admin/keys/bob/rotate", headers=ADMIN).json()["secret"]
    register(rotated, "local key bob, rotated")
    assert client.delete("/v1/admin/keys/alice", headers=ADMIN).status_code == 200
    for secret in (alice, bob):
        refused = client.get("/v1/models", headers={"authorization": f"Bearer {secret}"})
        assert refused.status_code == 401 and refused.json()["error"]["message"] == INVALID
    assert client.get("/v1/models", headers={"authorization": f"Bearer {rotated}"}).status_code == 200


def test_named_keys_without_admin_keys(make_client: Callable[..., TestClient]) -> None:
    """The model routes need a key; the admin routes stay open to loopback as without
    keys, so whoever made the keys keeps the admin API; a named key there is still 403."""
    client = make_client()
    secret = named_key(client, headers={})
    assert client.get("/v1/models").status_code == 401
    assert client.post("/v1/chat/completions", json={}).json()["error"]["message"] == MISSING
    assert client.get("/v1/models", headers={"authorization": f"Bearer {secret}"}).status_code == 200
    assert client.get("/v1/admin/keys").status_code == 200
    assert client.get("/v1/traces").status_code == 200
    assert client.get("/v1/admin/keys", headers={"authorization": f"Bearer {secret}"}).status_code == 403
    assert client.get("/ui/session").json() == {"auth": "open", "csrf": None}

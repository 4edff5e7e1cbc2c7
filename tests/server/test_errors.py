"""Every client-side error class, in all three error shapes, with the right status."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

ROUTES = {
    "openai_chat": "/v1/chat/completions",
    "openai_responses": "/v1/responses",
    "anthropic": "/v1/messages",
    "gemini": "/v1beta/models/{model}:generateContent",
}


def error_of(dialect: str, body: dict[str, Any]) -> tuple[str, str]:
    """(type or status name, message) from any of the three envelopes, checking its shape."""
    if dialect == "anthropic":
        assert body["type"] == "error"
        return body["error"]["type"], body["error"]["message"]
    if dialect == "gemini":
        assert isinstance(body["error"]["code"], int)
        return body["error"]["status"], body["error"]["message"]
    assert set(body["error"]) >= {"message", "type", "code"}
    return body["error"]["type"], body["error"]["message"]


def post(client: TestClient, dialect: str, content: bytes, model: str = "local-model") -> Any:
    path = ROUTES[dialect].format(model=model)
    return client.post(path, content=content, headers={"content-type": "application/json"})


@pytest.mark.parametrize("dialect", list(ROUTES))
def test_malformed_json_is_400(make_client: Callable[..., TestClient], dialect: str) -> None:
    response = post(make_client(), dialect, b'{"model": ')
    assert response.status_code == 400
    kind, message = error_of(dialect, response.json())
    assert kind in {"invalid_request_error", "INVALID_ARGUMENT"}
    assert "not valid JSON" in message


@pytest.mark.parametrize("dialect", list(ROUTES))
def test_unknown_model_is_404_listing_served_models(
    make_client: Callable[..., TestClient], dialect: str
) -> None:
    bodies = {
        "openai_chat": b'{"model": "nope", "messages": [{"role": "user", "content": "hi"}]}',
        "openai_responses": b'{"model": "nope", "input": "hi"}',
        "anthropic": b'{"model": "nope", "max_tokens": 10, "messages": [{"role": "user", "content": "hi"}]}',
        "gemini": b'{"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}',
    }
    response = post(make_client(), dialect, bodies[dialect], model="nope")
    assert response.status_code == 404
    kind, message = error_of(dialect, response.json())
    assert kind in {"not_found_error", "NOT_FOUND", "invalid_request_error"}
    assert "'nope'" in message and "local-model" in message


@pytest.mark.parametrize("dialect", list(ROUTES))
def test_a_body_over_the_limit_is_413(make_client: Callable[..., TestClient], dialect: str) -> None:
    response = post(make_client(max_body_bytes=1000), dialect, b'{"x": "' + b"a" * 2000 + b'"}')
    assert response.status_code == 413
    _, message = error_of(dialect, response.json())
    assert "limit of 1,000 bytes" in message


@pytest.mark.parametrize("dialect", list(ROUTES))
def test_an_invalid_request_is_400_naming_the_problem(
    make_client: Callable[..., TestClient], dialect: str
) -> None:
    response = post(make_client(), dialect, b"[1, 2]")
    assert response.status_code == 400
    _kind, message = error_of(dialect, response.json())
    assert message


def test_unknown_path_is_404_in_the_askers_shape(make_client: Callable[..., TestClient]) -> None:
    client = make_client()
    assert client.get("/v2/nothing").json()["error"]["type"] == "not_found_error"
    anthropic = client.get("/v2/nothing", headers={"anthropic-version": "2023-06-01"})
    assert anthropic.status_code == 404 and anthropic.json()["type"] == "error"

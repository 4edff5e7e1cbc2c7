"""The route table's edges: a method an endpoint does not take is 405 with `Allow`, in
that endpoint's dialect; a path no endpoint serves is 404, never a redirect."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.server.test_errors import error_of

POST_ONLY = {
    "/v1/chat/completions": "openai_chat",
    "/v1/responses": "openai_responses",
    "/v1/messages": "anthropic",
    "/v1/messages/count_tokens": "anthropic",
    "/v1beta/models/local-model:generateContent": "gemini",
    "/v1beta/models/local-model:streamGenerateContent": "gemini",
    "/v1beta/models/local-model:countTokens": "gemini",
    "/v1/models/local-model:generateContent": "gemini",
    "/v1/auth/refresh": "openai_chat",
}


def refused(client: TestClient, method: str, path: str) -> Any:
    return client.request(method, path, follow_redirects=False)


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize("path", list(POST_ONLY))
def test_a_method_a_dialect_endpoint_does_not_take_is_405_in_its_dialect(
    make_client: Callable[..., TestClient], path: str, method: str
) -> None:
    response = refused(make_client(), method, path)
    assert response.status_code == 405, response.text
    assert response.headers["allow"] == "POST"
    kind, message = error_of(POST_ONLY[path], response.json())
    assert kind in {"invalid_request_error", "FAILED_PRECONDITION"}
    assert method in message and "POST" in message


@pytest.mark.parametrize("method", ["TRACE", "CONNECT", "PROPFIND"])
@pytest.mark.parametrize("path", ["/v1/messages", "/v1beta/models/local-model:generateContent"])
def test_any_other_method_is_405_in_the_endpoints_dialect_too(
    make_client: Callable[..., TestClient], path: str, method: str
) -> None:
    """Found by fuzzing: a method outside the common seven fell through to Starlette's own
    405, drawn in the OpenAI shape whatever the endpoint's dialect."""
    response = refused(make_client(), method, path)
    assert response.status_code == 405, response.text
    assert response.headers["allow"] == "POST"
    _kind, message = error_of(POST_ONLY[path], response.json())
    assert method in message


@pytest.mark.parametrize(
    ("headers", "dialect"), [({}, "openai_chat"), ({"anthropic-version": "2023-06-01"}, "anthropic")]
)
def test_a_post_to_a_v1_model_without_a_gemini_method_is_the_askers_405(
    make_client: Callable[..., TestClient], headers: dict[str, str], dialect: str
) -> None:
    """Found by fuzzing: `POST /v1/models/gpt-4` answered a Gemini-shaped 404 to a client
    that never spoke Gemini; without a Gemini method it is a model read's path."""
    response = make_client().post("/v1/models/local-model", headers=headers, json={})
    assert response.status_code == 405, response.text
    assert response.headers["allow"] == "GET"
    _kind, message = error_of(dialect, response.json())
    assert "takes GET, not POST" in message


def test_an_unknown_gemini_method_is_still_a_gemini_404(make_client: Callable[..., TestClient]) -> None:
    response = make_client().post("/v1beta/models/local-model:embedContent", json={})
    assert response.status_code == 404, response.text
    error_of("gemini", response.json())


def test_head_on_a_post_endpoint_is_405_without_a_body(make_client: Callable[..., TestClient]) -> None:
    response = refused(make_client(), "HEAD", "/v1/chat/completions")
    assert (response.status_code, response.headers["allow"], response.content) == (405, "POST", b"")


@pytest.mark.parametrize(
    ("path", "allow", "dialect"),
    [
        ("/v1/models", "GET", "openai_chat"),
        ("/v1beta/models", "GET", "gemini"),
        ("/v1beta/models/local-model", "GET", "gemini"),
        ("/healthz", "GET", "openai_chat"),
    ],
)
def test_other_endpoints_name_what_they_allow(
    make_client: Callable[..., TestClient], path: str, allow: str, dialect: str
) -> None:
    response = refused(make_client(), "PUT", path)
    assert response.status_code == 405, response.text
    assert response.headers["allow"] == allow
    error_of(dialect, response.json())


def test_the_endpoints_still_answer_their_own_methods(make_client: Callable[..., TestClient]) -> None:
    client = make_client()
    assert client.get("/v1/models").status_code == 200
    assert client.get("/v1beta/models/local-model").status_code == 200
    assert client.get("/healthz").status_code == 200
    # Reaches the relay (the upstream is down): not refused by the route table.
    chat = client.post("/v1/chat/completions", json={"model": "local-model", "messages": []})
    assert chat.status_code not in (404, 405)


@pytest.mark.parametrize(
    ("path", "dialect"),
    [
        ("/nothing", "openai_chat"),
        ("/v1/nothing", "openai_chat"),
        ("/v1/chat/completions/", "openai_chat"),
        ("/v1beta/nothing", "gemini"),
        ("/api/nothing", "openai_chat"),
    ],
)
def test_a_path_no_endpoint_serves_is_404_not_a_redirect(
    make_client: Callable[..., TestClient], path: str, dialect: str
) -> None:
    for method in ("GET", "POST"):
        response = refused(make_client(), method, path)
        assert response.status_code == 404, (method, response.status_code, response.headers)
        kind, message = error_of(dialect, response.json())
        assert kind in {"not_found_error", "NOT_FOUND"}
        assert "no such endpoint" in message and "is not one" not in message

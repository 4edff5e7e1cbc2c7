"""The count-tokens endpoints over HTTP: Anthropic's `/v1/messages/count_tokens`,
Responses' `/v1/responses/input_tokens` and Gemini's `:countTokens` (under /v1beta and
/v1, with `contents` or a whole `generateContentRequest`). The model must be served;
the count is the local estimate (`ir.tokens`), here checked against a count worked out
by hand."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from starlette.testclient import TestClient

FOX = "The quick brown fox jumps over the lazy dog."  # 44 characters
# System "Be terse." (9) + FOX (44) = 53 characters: 14 tokens, plus 4 for the message.
EXPECTED = 18


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()


def test_anthropic_count_tokens(client: TestClient) -> None:
    body = {"model": "local-model", "system": "Be terse.", "messages": [{"role": "user", "content": FOX}]}
    response = client.post("/v1/messages/count_tokens", json=body)
    assert response.status_code == 200, response.text
    assert response.json() == {"input_tokens": EXPECTED}


def test_responses_input_tokens(client: TestClient) -> None:
    body = {"model": "local-model", "instructions": "Be terse.", "input": FOX}
    response = client.post("/v1/responses/input_tokens", json=body)
    assert response.status_code == 200, response.text
    assert response.json() == {"object": "response.input_tokens", "input_tokens": EXPECTED}
    # `model` is optional there
    unnamed = client.post("/v1/responses/input_tokens", json={"instructions": "Be terse.", "input": FOX})
    assert unnamed.json()["input_tokens"] == EXPECTED


GEMINI_BODY = {
    "systemInstruction": {"parts": [{"text": "Be terse."}]},
    "contents": [{"parts": [{"text": FOX}]}],
}


@pytest.mark.parametrize("version", ["v1beta", "v1"])
@pytest.mark.parametrize(
    "body",
    [GEMINI_BODY, {"generateContentRequest": {"model": "models/local-model", **GEMINI_BODY}}],
    ids=["contents", "generateContentRequest"],
)
def test_gemini_count_tokens(client: TestClient, version: str, body: dict[str, object]) -> None:
    response = client.post(f"/{version}/models/local-model:countTokens", json=body)
    assert response.status_code == 200, response.text
    assert response.json() == {"totalTokens": EXPECTED}


def test_a_model_nobody_serves_is_a_404_in_each_dialect(client: TestClient) -> None:
    anthropic = client.post(
        "/v1/messages/count_tokens", json={"model": "nosuch", "messages": [{"role": "user", "content": "hi"}]}
    )
    assert anthropic.status_code == 404
    assert anthropic.json()["type"] == "error" and anthropic.json()["error"]["type"] == "not_found_error"
    gemini = client.post("/v1beta/models/nosuch:countTokens", json={"contents": []})
    assert gemini.status_code == 404
    assert gemini.json()["error"]["status"] == "NOT_FOUND"


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (
            "/v1/messages/count_tokens",
            {"model": "local-model", "messages": [{"role": {}, "content": "x"}]},
            "role",
        ),
        ("/v1/messages/count_tokens", [], "body"),
        ("/v1beta/models/local-model:countTokens", {"contents": [{"role": [], "parts": []}]}, "role"),
        ("/v1beta/models/local-model:countTokens", {"contents": "hi"}, "contents"),
    ],
)
def test_a_bad_body_is_a_400_naming_the_field(
    client: TestClient, path: str, body: object, field: str
) -> None:
    response = client.post(path, json=body)
    assert response.status_code == 400, response.text
    assert field in response.json()["error"]["message"]

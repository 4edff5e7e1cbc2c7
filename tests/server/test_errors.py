"""Every client-side error class, in all three error shapes, with the right status."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
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


def deep_body(dialect: str, depth: int, model: str) -> bytes:
    """A request whose tool parameter schema makes the body about `depth` JSON levels deep
    (built as text: orjson itself cannot write it)."""
    levels = depth // 2  # each schema level is two JSON objects
    schema = b'{"type":"object","properties":{"x":' * levels + b'{"type":"string"}' + b"}}" * levels
    messages = [{"role": "user", "content": "hi"}]
    body: dict[str, Any]
    if dialect == "gemini":
        tool = {"functionDeclarations": [{"name": "f", "description": "d", "parameters": "SCHEMA"}]}
        body = {"contents": [{"parts": [{"text": "hi"}]}], "tools": [tool]}
    elif dialect == "anthropic":
        tools = [{"name": "f", "description": "d", "input_schema": "SCHEMA"}]
        body = {"model": model, "max_tokens": 10, "messages": messages, "tools": tools}
    elif dialect == "openai_responses":
        body = {
            "model": model,
            "input": "hi",
            "tools": [{"type": "function", "name": "f", "parameters": "SCHEMA"}],
        }
    else:
        tools = [{"type": "function", "function": {"name": "f", "parameters": "SCHEMA"}}]
        body = {"model": model, "messages": messages, "tools": tools}
    return orjson.dumps(body).replace(b'"SCHEMA"', schema)


UNREACHABLE = {
    f"u_{dialect}": {
        "kind": "openai_compatible",
        "dialect": dialect,
        "base_url": "http://127.0.0.1:9/v1",
        "models": [f"m-{dialect}"],
    }
    for dialect in ROUTES
}
COUNT_ROUTES = {"anthropic": "/v1/messages/count_tokens", "gemini": "/v1beta/models/{model}:countTokens"}


@pytest.mark.parametrize("depth", [300, 600, 1000, 1100])
@pytest.mark.parametrize("dialect", list(ROUTES))
def test_json_nested_deeper_than_can_be_written_back_is_400_naming_the_limit(
    make_client: Callable[..., TestClient], dialect: str, depth: int
) -> None:
    """orjson reads 1,024 levels but writes 254: a body between the two must not be a 500
    (the upstreams are unreachable: a request let through would be a 502)."""
    client = make_client(providers=UNREACHABLE)
    paths = [ROUTES[dialect]] + ([COUNT_ROUTES[dialect]] if dialect in COUNT_ROUTES else [])
    for upstream in ROUTES:
        for path in paths:
            model = f"m-{upstream}"
            content = deep_body(dialect, depth, model)
            response = client.post(path.format(model=model), content=content)
            assert response.status_code == 400, (path, upstream, response.text[:300])
            _, message = error_of(dialect, response.json())
            assert "nested" in message and "254 levels" in message, message


@pytest.mark.parametrize("depth", [250, 253])
@pytest.mark.parametrize("upstream", list(ROUTES))
def test_a_tool_schema_too_deep_for_any_answer_that_echoes_it_is_refused_before_sending(
    make_client: Callable[..., TestClient], upstream: str, depth: int
) -> None:
    """A Responses answer echoes the tools one level deeper than the request held them,
    and a Gemini upstream drops a schema's extension keys: a schema the upstream request
    can carry may still break the answer mid-stream. Refused up front instead: a schema
    `depth` levels deep, which the deepest wrapping (Gemini's, 5 levels) takes past 254."""
    schema = b'{"type":"object","x-extra":' + b'{"a":' * (depth - 1) + b"1" + b"}" * (depth - 1) + b"}"
    tools = [{"type": "function", "name": "f", "parameters": "SCHEMA"}]
    body = {"model": f"m-{upstream}", "input": "hi", "stream": True, "tools": tools}
    client = make_client(providers=UNREACHABLE)
    response = client.post(
        ROUTES["openai_responses"], content=orjson.dumps(body).replace(b'"SCHEMA"', schema)
    )
    assert response.status_code == 400, response.text[:300]
    assert "254 levels" in response.json()["error"]["message"]

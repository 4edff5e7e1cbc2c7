"""No request leaves a provider's base path: neither a pass-through path nor a model id
put into the URL (Gemini) can climb out with the provider's key. Paths go out on a raw
socket, since HTTP clients resolve dot segments before sending."""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
import orjson
import pytest
from starlette.types import Receive, Scope, Send

from tests.fakes.fixtures import FakeUpstreams
from tests.fakes.server import FakeServer
from tests.gateway import providers_for, serve_gateway

LOCAL_KEY = "local-key-for-dragoman-0042"


@dataclass
class Recorder:
    """An upstream that records every path it is asked for and answers 200 `{}`."""

    paths: list[bytes] = field(default_factory=list)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.paths.append(scope["raw_path"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})


@pytest.fixture
def recorded(fakes: FakeUpstreams) -> Iterator[tuple[Recorder, str]]:
    """A recorder behind dragoman as `up` (chat dialect) and `gem` (Gemini dialect), both
    under a base path, so that an escape would land outside it."""
    app = Recorder()
    with FakeServer(app) as server:
        base = {"kind": "openai_compatible", "api_key": "recorder-secret-key", "models": ["m"]}
        providers = {
            **providers_for(fakes),
            "up": {**base, "base_url": server.url + "/base/v1"},
            "gem": {**base, "dialect": "gemini", "base_url": server.url + "/base/v1beta"},
        }
        with serve_gateway(fakes, api_keys=[LOCAL_KEY], providers=providers) as url:
            yield app, url


def raw_request(url: str, method: str, target: str, body: bytes = b"") -> tuple[int, Any]:
    """(status, JSON body) of one request sent with `target` exactly as written
    (http.client, unlike httpx, leaves dot segments alone)."""
    where = urlsplit(url)
    connection = http.client.HTTPConnection(where.hostname or "", where.port, timeout=10)
    try:
        headers = {"x-api-key": LOCAL_KEY, "content-type": "application/json"}
        connection.request(method, target, body=body, headers=headers)
        response = connection.getresponse()
        payload = response.read()
    finally:
        connection.close()
    return response.status, orjson.loads(payload) if payload else None


@pytest.mark.parametrize(
    "path",
    [
        "/up/../../escaped",
        "/up/v1/../../../escaped",
        "/up/%2e%2e/%2e%2e/escaped",
        "/up/%2E%2E/%2e%2E/escaped",
        "/up/..%2f..%2fescaped",
        "/up/..%2F..%2Fescaped",
        "/up/..\\..\\escaped",
        "/up/..%5c..%5cescaped",
        "/gem/v1beta/models/../../escaped",
    ],
)
def test_a_pass_through_path_cannot_leave_the_base_path(recorded: tuple[Recorder, str], path: str) -> None:
    app, url = recorded
    status, body = raw_request(url, "GET", path)
    assert status == 400, body
    assert "outside the provider's base path" in str(body)
    assert app.paths == []


def test_an_ordinary_pass_through_path_still_arrives(recorded: tuple[Recorder, str]) -> None:
    app, url = recorded
    status, _ = raw_request(url, "GET", "/up/v1/files/file-1..2/content")
    assert status == 200
    assert app.paths == [b"/base/v1/files/file-1..2/content"]


MODELS = [
    "gem/../../../escaped",
    "gem/%2e%2e/%2e%2e/escaped",
    "gem/..%2f..%2fescaped",
    "gem/x?key=stolen",
    "gem/x#fragment",
    "gem/..\\..\\escaped",
]


@pytest.mark.parametrize("model", MODELS)
def test_a_model_id_cannot_leave_a_gemini_upstreams_base_path(
    recorded: tuple[Recorder, str], model: str
) -> None:
    app, url = recorded
    body = {"model": model, "messages": [{"role": "user", "content": "hi"}]}
    response = httpx.post(url + "/v1/chat/completions", json=body, headers={"x-api-key": LOCAL_KEY})
    assert response.status_code == 400, response.text
    assert response.json()["error"]["type"] == "invalid_request_error"
    assert "model" in response.json()["error"]["message"]
    assert app.paths == []


@pytest.mark.parametrize(
    "target",
    [
        "/v1beta/models/gem%2f..%2f..%2f..%2fescaped:generateContent",
        "/v1beta/models/gem%2f%252e%252e%2fescaped:generateContent",
        "/v1beta/models/gem%2fx%3fkey=stolen:generateContent",
    ],
)
def test_a_gemini_client_url_cannot_smuggle_a_path_in_its_model(
    recorded: tuple[Recorder, str], target: str
) -> None:
    app, url = recorded
    status, body = raw_request(url, "POST", target, orjson.dumps({"contents": [{"parts": [{"text": "hi"}]}]}))
    assert status == 400, body
    assert body["error"]["status"] == "INVALID_ARGUMENT"
    assert app.paths == []


def test_an_ordinary_model_still_reaches_the_gemini_upstream(recorded: tuple[Recorder, str]) -> None:
    app, url = recorded
    body = {"model": "gem/m", "messages": [{"role": "user", "content": "hi"}]}
    httpx.post(url + "/v1/chat/completions", json=body, headers={"x-api-key": LOCAL_KEY})
    assert app.paths == [b"/base/v1beta/models/m:generateContent"]

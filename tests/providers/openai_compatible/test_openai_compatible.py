"""The openai_compatible kind through a real dragoman: any base URL, any of the four
dialects, authenticating the way that dialect's own vendor does, and no key needed."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.fakes import FAKES
from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import serve_gateway

# Where each dialect's vendor expects the key, as the fakes check it.
KEY_HEADERS = {
    "openai_chat": ("authorization", "Bearer {key}"),
    "openai_responses": ("authorization", "Bearer {key}"),
    "anthropic": ("x-api-key", "{key}"),
    "gemini": ("x-goog-api-key", "{key}"),
}
AUTH_HEADERS = ("authorization", "x-api-key", "x-goog-api-key")
CHAT = {"model": "local-model", "messages": [{"role": "user", "content": "hi"}]}


def compatible(fakes: FakeUpstreams, dialect: str, **extra: Any) -> dict[str, Any]:
    provider = {"kind": "openai_compatible", "dialect": dialect, "base_url": fakes[dialect].base_url}
    return {"local": {**provider, "models": ["local-model"], **extra}}


@pytest.mark.parametrize("dialect", sorted(FAKES))
def test_authenticates_like_its_dialect(fakes: FakeUpstreams, dialect: str) -> None:
    fake = fakes[dialect]
    providers = compatible(fakes, dialect, api_key=fake.key)
    with serve_gateway(fakes, providers=providers) as url:
        response = httpx.post(url + "/v1/chat/completions", json=CHAT)
    assert response.status_code == 200, response.text
    name, value = KEY_HEADERS[dialect]
    assert fake.last.header(name) == value.format(key=fake.key)
    assert [header for header in AUTH_HEADERS if fake.last.header(header)] == [name]


@pytest.mark.parametrize("dialect", sorted(FAKES))
def test_no_key_sends_no_credentials(fakes: FakeUpstreams, dialect: str) -> None:
    """A local server needs no key; one that wanted one answers 401, passed on as such."""
    with serve_gateway(fakes, providers=compatible(fakes, dialect)) as url:
        response = httpx.post(url + "/v1/chat/completions", json=CHAT)
    assert not any(fakes[dialect].last.header(header) for header in AUTH_HEADERS)
    assert response.status_code in (401, 403)


def test_configured_headers_are_sent(fakes: FakeUpstreams) -> None:
    """OpenRouter-style attribution headers, for instance."""
    headers = {"http-referer": "https://example.org", "x-title": "dragoman"}
    providers = compatible(fakes, "openai_chat", api_key=fakes.openai_chat.key, headers=headers)
    with serve_gateway(fakes, providers=providers) as url:
        response = httpx.post(url + "/v1/chat/completions", json=CHAT)
    assert response.status_code == 200, response.text
    assert fakes.openai_chat.last.header("x-title") == "dragoman"
    assert fakes.openai_chat.last.header("http-referer") == "https://example.org"


def test_an_anthropic_server_gets_the_anthropic_version(fakes: FakeUpstreams) -> None:
    providers = compatible(fakes, "anthropic", api_key=fakes.anthropic.key)
    with serve_gateway(fakes, providers=providers) as url:
        response = httpx.post(url + "/v1/chat/completions", json=CHAT)
    assert response.status_code == 200, response.text
    assert fakes.anthropic.last.header("anthropic-version") == "2023-06-01"

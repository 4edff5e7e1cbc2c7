"""A named key's models, end to end: a real dragoman in front of the four fake
upstreams, a key allowed some of their models. A model it may not use is a 403 in the
client's dialect naming the key and the model, before any upstream is asked; a
fallback chain passes over such models; the model list shows only those it may use."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.fakes import Failure, Reply
from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import serve_gateway
from tests.secret_scan.registry import register

ADMIN_KEY = "key-models-admin-5d1c"
FALLBACKS = {"gpt-4.1": ["gpt-5", "claude-sonnet-4-6"]}
OPTIONS = {"models": ["gpt-4.1", "claude-*", "gemini-*"], "deny": ["gemini-3*"]}
MESSAGES = [{"role": "user", "content": "hi"}]


@pytest.fixture(scope="module")
def gateway(fake_upstreams_session: FakeUpstreams, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name.startswith("DRAGOMAN_"):
                patch.delenv(name)
        patch.setenv("DRAGOMAN_HOME", str(tmp_path_factory.mktemp("dragoman-home")))
        fake_upstreams_session.reset()
        models = {"fallbacks": FALLBACKS}
        with serve_gateway(fake_upstreams_session, models=models, api_keys=[ADMIN_KEY]) as root:
            yield root


@pytest.fixture(scope="module")
def secret(gateway: str) -> str:
    made = httpx.post(gateway + "/v1/admin/keys", json={"name": "alice", **OPTIONS},
                      headers={"authorization": f"Bearer {ADMIN_KEY}"}, timeout=10)  # fmt: skip
    assert made.status_code == 201, made.text
    found: str = made.json()["secret"]
    register(found, "local key alice")
    return found


def ask(url: str, secret: str, dialect: str, model: str) -> httpx.Response:
    """One request in the dialect's own shape, with the key where its SDK puts it."""
    if dialect == "gemini":
        body: dict[str, Any] = {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}
        path, headers = f"/v1beta/models/{model}:generateContent", {"x-goog-api-key": secret}
    elif dialect == "anthropic":
        body = {"model": model, "max_tokens": 16, "messages": MESSAGES}
        path, headers = "/v1/messages", {"x-api-key": secret, "anthropic-version": "2023-06-01"}
    elif dialect == "openai_responses":
        body, path = {"model": model, "input": "hi"}, "/v1/responses"
        headers = {"authorization": f"Bearer {secret}"}
    else:
        body, path = {"model": model, "messages": MESSAGES}, "/v1/chat/completions"
        headers = {"authorization": f"Bearer {secret}"}
    return httpx.post(url + path, json=body, headers=headers, timeout=10)


def message_of(dialect: str, body: dict[str, Any]) -> str:
    if dialect == "gemini":
        assert body["error"]["status"] == "PERMISSION_DENIED" and body["error"]["code"] == 403
    elif dialect == "anthropic":
        assert body["type"] == "error" and body["error"]["type"] == "permission_error"
    else:
        assert body["error"]["type"] == "permission_error"
    return str(body["error"]["message"])


@pytest.mark.parametrize(
    ("dialect", "model"),
    [
        ("openai_chat", "gpt-5"),
        ("openai_responses", "gpt-5"),
        ("anthropic", "gpt-5"),
        ("gemini", "gemini-3-pro-preview"),  # allowed by gemini-*, denied by gemini-3*
    ],
)
def test_a_model_the_key_may_not_use_is_403_in_the_dialect(
    fakes: FakeUpstreams, gateway: str, secret: str, dialect: str, model: str
) -> None:
    refused = ask(gateway, secret, dialect, model)
    assert refused.status_code == 403
    assert message_of(dialect, refused.json()).startswith(f"key alice may not use model {model}")
    assert [len(fake.requests) for fake in fakes] == [0, 0, 0, 0]


@pytest.mark.parametrize(
    ("dialect", "model"),
    [("openai_chat", "gpt-4.1"), ("anthropic", "claude-sonnet-4-6"), ("gemini", "gemini-2.5-flash")],
)
def test_a_model_the_key_may_use_is_served(
    fakes: FakeUpstreams, gateway: str, secret: str, dialect: str, model: str
) -> None:
    answer = ask(gateway, secret, dialect, model)
    assert answer.status_code == 200, answer.text
    assert sum(len(fake.requests) for fake in fakes) == 1


def test_a_chain_passes_over_the_models_the_key_may_not_use(
    fakes: FakeUpstreams, gateway: str, secret: str
) -> None:
    fakes.openai_chat.script(Reply(error=Failure(503, "The server is overloaded")))
    fakes.anthropic.script(Reply(text="Served by Claude."))
    answer = ask(gateway, secret, "openai_chat", "gpt-4.1")
    assert answer.status_code == 200, answer.text
    assert answer.json()["model"] == "claude-sonnet-4-6"
    assert (len(fakes.openai_responses.requests), len(fakes.anthropic.requests)) == (0, 1)  # gpt-5 skipped


def test_the_model_list_shows_only_the_models_the_key_may_use(gateway: str, secret: str) -> None:
    listed = httpx.get(gateway + "/v1/models", headers={"authorization": f"Bearer {secret}"}, timeout=10)
    every = httpx.get(gateway + "/v1/models", headers={"authorization": f"Bearer {ADMIN_KEY}"}, timeout=10)
    assert {model["id"] for model in listed.json()["data"]} == {
        "gpt-4.1",
        "claude-sonnet-4-6",
        "gemini-2.5-flash",
    }
    assert "gpt-5" in {model["id"] for model in every.json()["data"]}
    one = httpx.get(gateway + "/v1/models/gpt-5", headers={"authorization": f"Bearer {secret}"}, timeout=10)
    assert one.status_code == 404


def test_count_tokens_checks_the_model_too(gateway: str, secret: str) -> None:
    body = {"model": "gpt-5", "messages": MESSAGES}
    refused = httpx.post(
        gateway + "/v1/messages/count_tokens", json=body, headers={"x-api-key": secret}, timeout=10
    )
    assert refused.status_code == 403 and "key alice may not use model gpt-5" in refused.text


def test_pass_through_is_refused_to_a_key_limited_to_models(gateway: str, secret: str) -> None:
    refused = httpx.post(gateway + "/up_openai_chat/v1/chat/completions", json={"model": "gpt-4.1"},
                         headers={"authorization": f"Bearer {secret}"}, timeout=10)  # fmt: skip
    assert refused.status_code == 403
    assert "key alice may use some models only, and pass-through names none" in refused.text

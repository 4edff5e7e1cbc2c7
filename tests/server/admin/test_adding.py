"""`POST /v1/admin/accounts` end to end: an API-key account added to a running gateway
is served within seconds; a body the CLI would refuse is refused, and the key is never
echoed."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx

from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import serve_gateway
from tests.server.test_pooling import pool, reached

LOCAL_KEY = "local-adding-key-c41d"
AUTH = {"authorization": f"Bearer {LOCAL_KEY}"}


def add(url: str, body: Any) -> httpx.Response:
    return httpx.post(f"{url}/v1/admin/accounts", json=body, headers=AUTH, timeout=10)


def served(url: str, label: str) -> bool:
    listed = httpx.get(f"{url}/v1/admin/accounts", headers=AUTH, timeout=10).json()["accounts"]
    return any(account["label"] == label and account["state"]["status"] == "ready" for account in listed)


def test_an_added_account_is_served_within_seconds(fakes: FakeUpstreams) -> None:
    fake = fakes.openai_chat
    body = {
        "provider": "openai_compatible",
        "label": "added",
        "api_key": fake.key,
        "base_url": fake.base_url,
        "dialect": "openai_chat",
        "models": ["fresh-model"],
    }
    with serve_gateway(fakes, providers=pool(fake, ["configured"], ["m"]), api_keys=[LOCAL_KEY]) as url:
        answer = add(url, body)
        deadline = time.monotonic() + 8
        while not served(url, "added") and time.monotonic() < deadline:
            time.sleep(0.2)
        chat = {"model": "fresh-model", "messages": [{"role": "user", "content": f"hi {uuid.uuid4()}"}]}
        relayed = httpx.post(f"{url}/v1/chat/completions", json=chat, headers=AUTH, timeout=10)
        again = add(url, body)
    assert answer.status_code == 201 and answer.json()["label"] == "added"
    assert fake.key not in answer.text
    assert relayed.status_code == 200 and reached(fake) == [None]  # no x-account: the added one
    assert again.status_code == 409 and "already taken" in again.json()["error"]["message"]


def test_a_body_the_cli_would_refuse_is_a_422_naming_why(fakes: FakeUpstreams) -> None:
    refusals = [
        ({"provider": "no-such-kind", "api_key": "k-1"}, "unknown kind"),
        ({"provider": "openai_compatible", "api_key": "k-2"}, "base_url"),
        ({"provider": "openai", "api_key": "k-3", "dialect": "gemini"}, "dialect"),
        ({"provider": "openai", "api_key": "k-4", "label": "bad label!"}, "label"),
        ({"provider": "claude", "api_key": "k-5"}, "subscription login"),
        ({"provider": "openai"}, "api_key"),
        ({"provider": "openai", "api_key": "k-6", "colour": "red"}, "colour"),
    ]
    with serve_gateway(
        fakes, providers=pool(fakes.openai_chat, ["configured"], ["m"]), api_keys=[LOCAL_KEY]
    ) as url:
        answers = [add(url, body) for body, _ in refusals]
        taken = add(url, {"provider": "openai", "api_key": "k-7", "label": "configured"})
        unauthenticated = httpx.post(f"{url}/v1/admin/accounts", json={}, timeout=10)
    for answer, (body, why) in zip(answers, refusals, strict=True):
        assert answer.status_code == 422, (body, answer.text)
        assert why in answer.json()["error"]["message"], (body, answer.text)
        assert body.get("api_key", "absent") not in answer.text
    assert taken.status_code == 409
    assert unauthenticated.status_code == 401

"""ChatGPT/Codex end to end: each client dialect's official SDK, through a running
dragoman, to the fake Codex backend with a login the fake OAuth server issued."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conformance.clients import DRIVERS
from tests.conformance.scenario import ARGS, RESULTS, TOOLS
from tests.fakes import Call, Failure, Reply
from tests.fakes.fixtures import FakeUpstreams
from tests.fakes.oauth import User
from tests.gateway import serve_gateway
from tests.subscriptions import Subscription, sdk_clients, store_login, stored_logins, subscription

MODEL = "gpt-5.5"
LOCAL_KEY = "local-key-for-tests"


@pytest.fixture
def codex() -> Iterator[Subscription]:
    with subscription("codex") as sub:
        yield sub


@pytest.fixture
def gateway(codex: Subscription, dragoman_home: Path, fakes: FakeUpstreams) -> Iterator[str]:
    store_login(dragoman_home, codex)
    with serve_gateway(fakes, providers={}, oauth=codex.settings(), api_keys=[LOCAL_KEY]) as root:
        yield root


@pytest.fixture
def sdks(gateway: str) -> Iterator[dict[str, Any]]:
    with sdk_clients(gateway, LOCAL_KEY) as clients:
        yield clients


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
@pytest.mark.parametrize("dialect", sorted(DRIVERS))
def test_each_client_dialect_is_served(
    codex: Subscription, sdks: dict[str, Any], dialect: str, stream: bool
) -> None:
    codex.backend.script(Reply(text="Hello from Codex"))
    talk = DRIVERS[dialect](sdks[dialect], MODEL, stream)
    talk.system("Be terse.")
    talk.user("Hi")
    assert talk.send().text == "Hello from Codex"
    sent = codex.backend.last
    body = sent.json
    assert body["instructions"] == "Be terse." and body["store"] is False and body["stream"] is True
    assert "max_output_tokens" not in body and body["model"] == MODEL
    assert sent.header("chatgpt-account-id") == "acct-alice" and sent.header("originator") == "codex_cli_rs"
    assert sent.header("session_id") == body["prompt_cache_key"]
    [login] = stored_logins(_home())
    assert sent.header("authorization") == f"Bearer {login.access_token}"


@pytest.mark.parametrize("dialect", sorted(DRIVERS))
def test_a_tool_round_trip(codex: Subscription, sdks: dict[str, Any], dialect: str) -> None:
    calls = [Call(spec.name, ARGS[spec.name], id=f"call_{n}") for n, spec in enumerate(TOOLS)]
    codex.backend.script(Reply(tool_calls=calls), Reply(text="Paris: 18C, 14:05."))
    talk = DRIVERS[dialect](sdks[dialect], MODEL, False)
    talk.tools(TOOLS)
    talk.user("Weather and time in Paris?")
    assert [call.name for call in talk.send().calls] == [spec.name for spec in TOOLS]
    talk.answer_calls(RESULTS)
    assert talk.send().text == "Paris: 18C, 14:05."
    outputs = [
        item for item in codex.backend.last.json["input"] if item.get("type") == "function_call_output"
    ]
    assert len(outputs) == 2


def test_a_401_refreshes_the_login_once_and_retries(codex: Subscription, sdks: dict[str, Any]) -> None:
    codex.oauth.expire_access_tokens()  # the stored expiry still looks fine to dragoman
    talk = DRIVERS["openai_chat"](sdks["openai_chat"], MODEL, False)
    talk.user("Hi")
    assert talk.send().text == "OK"
    assert codex.oauth.refreshes == 1
    refused, accepted = codex.backend.requests[-2:]
    assert refused.header("authorization") != accepted.header("authorization")
    [login] = stored_logins(_home())
    assert accepted.header("authorization") == f"Bearer {login.access_token}"


def test_fifty_concurrent_requests_on_an_expired_login_refresh_once(
    codex: Subscription, dragoman_home: Path, fakes: FakeUpstreams
) -> None:
    store_login(dragoman_home, codex, expired=True)
    codex.oauth.refresh_delay = 0.3
    with serve_gateway(fakes, providers={}, oauth=codex.settings()) as root:

        async def burst() -> list[httpx.Response]:
            async with httpx.AsyncClient(base_url=root, timeout=30) as client:
                body = {"model": MODEL, "messages": [{"role": "user", "content": "hi"}]}
                return list(
                    await asyncio.gather(*(client.post("/v1/chat/completions", json=body) for _ in range(50)))
                )

        answers = asyncio.run(burst())
    assert [answer.status_code for answer in answers] == [200] * 50
    assert codex.oauth.refreshes == 1 and codex.oauth.reuses == 0
    assert len({request.header("authorization") for request in codex.backend.requests}) == 1


def test_status_and_refresh_endpoints(codex: Subscription, gateway: str) -> None:
    codex.backend.script(Reply(text="OK"))
    headers = {"authorization": f"Bearer {LOCAL_KEY}"}
    httpx.post(
        f"{gateway}/v1/chat/completions",
        json={"model": MODEL, "messages": [{"role": "user", "content": "hi"}]},
        headers=headers,
    ).raise_for_status()
    assert httpx.get(f"{gateway}/v1/status").status_code == 401
    [row] = httpx.get(f"{gateway}/v1/status", headers=headers).json()["accounts"]
    assert (row["label"], row["provider"], row["email"], row["plan"], row["health"]) == (
        "codex-alice",
        "codex",
        "alice@example.com",
        "plus",
        "ok",
    )
    assert [window["name"] for window in row["usage"]] == ["5h", "weekly"] and row["risk"]
    [before] = stored_logins(_home())
    refreshed = httpx.post(f"{gateway}/v1/auth/refresh?provider=codex", headers=headers).json()["refreshed"]
    assert [(item["label"], item["ok"]) for item in refreshed] == [("codex-alice", True)]
    [after] = stored_logins(_home())
    assert codex.oauth.refreshes == 1 and after.access_token != before.access_token
    text = httpx.get(f"{gateway}/v1/status", headers=headers).text
    assert after.access_token not in text and after.refresh_token not in text


def test_a_pass_through_to_a_login_is_refused(gateway: str) -> None:
    answer = httpx.get(f"{gateway}/codex-alice/models", headers={"authorization": f"Bearer {LOCAL_KEY}"})
    assert answer.status_code == 404 and "subscription login" in answer.text


def _usage_limit(seconds: int) -> Reply:
    """ChatGPT's answer when a login's window is spent: the `usage_limit_reached` body and
    `x-codex-*` headers with the primary window at 100% (upstreams.md §1.7)."""
    body = {
        "error": {
            "type": "usage_limit_reached",
            "message": "The usage limit has been reached",
            "plan_type": "plus",
            "resets_in_seconds": seconds,
        }
    }
    headers = {
        "x-codex-primary-used-percent": "100",
        "x-codex-primary-window-minutes": "300",
        "x-codex-primary-reset-after-seconds": str(seconds),
    }
    return Reply(error=Failure(429, body=body, headers=headers))


def test_a_usage_limit_storm_on_five_logins_cools_each_until_its_reset(
    codex: Subscription, dragoman_home: Path, fakes: FakeUpstreams
) -> None:
    for n in range(5):
        store_login(dragoman_home, codex, User(email=f"user{n}@example.com", account_id=f"acct-{n}"))
    codex.backend.script(*(_usage_limit(600 + 60 * n) for n in range(5)))
    headers = {"authorization": f"Bearer {LOCAL_KEY}"}
    body = {"model": MODEL, "input": "hi"}
    with serve_gateway(fakes, providers={}, oauth=codex.settings(), api_keys=[LOCAL_KEY]) as root:
        first = httpx.post(root + "/v1/responses", json=body, headers=headers, timeout=10)
        again = httpx.post(root + "/v1/responses", json=body, headers=headers, timeout=10)
    asked = [request.header("chatgpt-account-id") for request in codex.backend.requests]
    assert sorted(asked) == [f"acct-{n}" for n in range(5)]  # each once, nobody again
    assert first.status_code == again.status_code == 429
    assert 600 <= int(again.headers["retry-after"]) <= 631
    labels = [login.label for login in stored_logins(dragoman_home)]
    assert all(f"{label}: cooling until" in again.text for label in labels), again.text


def _home() -> Path:
    return Path(os.environ["DRAGOMAN_HOME"])

"""Copilot end to end: each client dialect through dragoman to the fake Copilot (GPT
models on Chat Completions, Codex models on Responses, Claude on the native Anthropic
endpoint), the editor headers and X-Initiator as sent, and the Copilot token: exchanged
once for a burst of requests, replaced before it expires."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conformance.clients import DRIVERS
from tests.conformance.scenario import ARGS, RESULTS, TOOLS
from tests.fakes import Reply
from tests.fakes.copilot import CopilotFake
from tests.fakes.fixtures import FakeUpstreams
from tests.fakes.script import Call
from tests.gateway import serve_gateway
from tests.providers.copilot.conftest import store_copilot_login
from tests.subscriptions import sdk_clients, stored_logins

# model -> (the fake endpoint that serves it, its path)
ENDPOINTS = {
    "gpt-4.1": ("chat", "/chat/completions"),
    "gpt-5-codex": ("responses", "/responses"),
    "claude-sonnet-4.5": ("anthropic", "/v1/messages"),
}


@pytest.fixture
def root(copilot: CopilotFake, dragoman_home: Path, fakes: FakeUpstreams) -> Iterator[str]:
    store_copilot_login(dragoman_home, copilot)
    with serve_gateway(fakes, providers={}, oauth=copilot.settings()) as url:
        yield url


@pytest.fixture
def sdks(root: str) -> Iterator[dict[str, Any]]:
    with sdk_clients(root) as clients:
        yield clients


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
@pytest.mark.parametrize("model", sorted(ENDPOINTS))
@pytest.mark.parametrize("dialect", sorted(DRIVERS))
def test_each_client_dialect_reaches_the_models_endpoint(
    copilot: CopilotFake, sdks: dict[str, Any], dialect: str, model: str, stream: bool
) -> None:
    endpoint, path = ENDPOINTS[model]
    upstream = getattr(copilot, endpoint)
    upstream.script(Reply(text="Hello from Copilot"))
    talk = DRIVERS[dialect](sdks[dialect], model, stream)
    talk.system("Be terse.")
    talk.user("Hi")
    assert talk.send().text == "Hello from Copilot"
    sent = upstream.last
    assert sent.path == path and sent.json["model"] == model
    assert sent.header("editor-version", "").startswith("vscode/")
    assert sent.header("copilot-integration-id") == "vscode-chat"
    assert sent.header("x-initiator") == "user" and sent.header("x-request-id")
    [login] = stored_logins(Path(os.environ["DRAGOMAN_HOME"]))
    assert sent.header("authorization") == f"Bearer {login.access_token}"


@pytest.mark.parametrize("model", ["gpt-4.1", "claude-sonnet-4.5"])
@pytest.mark.parametrize("dialect", ["anthropic", "openai_chat", "openai_responses"])
def test_a_tool_round_trip_spends_one_premium_request(
    copilot: CopilotFake, sdks: dict[str, Any], dialect: str, model: str
) -> None:
    upstream = getattr(copilot, ENDPOINTS[model][0])
    calls = [Call(spec.name, ARGS[spec.name]) for spec in TOOLS]
    upstream.script(Reply(tool_calls=calls), Reply(text="Paris: 18C and sunny, 14:05."))
    talk = DRIVERS[dialect](sdks[dialect], model, True)
    talk.tools(TOOLS)
    talk.user("Weather and time in Paris?")
    assert [call.name for call in talk.send().calls] == [spec.name for spec in TOOLS]
    talk.answer_calls(RESULTS)
    assert talk.send().text == "Paris: 18C and sunny, 14:05."
    initiators = [record.header("x-initiator") for record in upstream.requests]
    assert initiators == ["user", "agent"]


def test_a_claude_conversation_keeps_its_thinking_signature(
    copilot: CopilotFake, sdks: dict[str, Any]
) -> None:
    copilot.anthropic.script(Reply(text="4", thinking="2+2"), Reply(text="8"))
    talk = DRIVERS["anthropic"](sdks["anthropic"], "claude-sonnet-4.5", False)
    talk.think()
    talk.user("2+2?")
    first = talk.send()
    assert first.signatures
    talk.user("Double it")
    assert talk.send().text == "8"
    replayed = [
        block.get("signature")
        for message in copilot.anthropic.last.json["messages"]
        for block in (message["content"] if isinstance(message["content"], list) else [])
        if block.get("type") == "thinking"
    ]
    # Copilot's own signature went back untouched (dragoman's wrapper, which says who
    # signed it, is taken off on the way).
    [signature] = replayed
    assert signature in copilot.anthropic.signatures and first.signatures[0].endswith(signature)


def test_twenty_requests_on_a_due_token_make_one_exchange(
    copilot: CopilotFake, dragoman_home: Path, fakes: FakeUpstreams
) -> None:
    store_copilot_login(dragoman_home, copilot, expires_at=time.time() - 5)
    copilot.exchanges = 0
    copilot.exchange_delay = 0.3
    with serve_gateway(fakes, providers={}, oauth=copilot.settings()) as url:
        statuses = asyncio.run(_burst(url, 20))
    assert statuses == [200] * 20
    assert copilot.exchanges == 1
    tokens = {record.header("authorization") for record in copilot.chat.requests}
    assert len(tokens) == 1


def test_a_token_near_its_end_is_replaced_before_it_is_used(
    copilot: CopilotFake, dragoman_home: Path, fakes: FakeUpstreams
) -> None:
    old = store_copilot_login(dragoman_home, copilot, expires_at=time.time() + 100)
    copilot.exchanges = 0
    with serve_gateway(fakes, providers={}, oauth=copilot.settings()) as url:
        assert asyncio.run(_burst(url, 1)) == [200]
        assert asyncio.run(_burst(url, 1)) == [200]
    assert copilot.exchanges == 1
    sent = [record.header("authorization") for record in copilot.chat.requests]
    assert f"Bearer {old.access_token}" not in sent and len(set(sent)) == 1


def test_a_token_copilot_refuses_is_exchanged_again(copilot: CopilotFake, sdks: dict[str, Any]) -> None:
    copilot.expire_copilot_tokens()
    copilot.exchanges = 0
    talk = DRIVERS["openai_chat"](sdks["openai_chat"], "gpt-4.1", False)
    talk.user("Hi")
    assert talk.send().text == "OK"
    assert copilot.exchanges == 1


def test_an_image_asks_for_copilot_vision(copilot: CopilotFake, sdks: dict[str, Any]) -> None:
    from tests.conformance.scenario import PNG

    talk = DRIVERS["openai_chat"](sdks["openai_chat"], "gpt-4.1", False)
    talk.user("What is this?", image=PNG)
    talk.send()
    assert copilot.chat.last.header("copilot-vision-request") == "true"


async def _burst(root: str, count: int) -> list[int]:
    body = {"model": "gpt-4.1", "messages": [{"role": "user", "content": "Hi"}]}
    async with httpx.AsyncClient(base_url=root, timeout=30) as client:
        answers = await asyncio.gather(
            *(client.post("/v1/chat/completions", json=body) for _ in range(count))
        )
    return [answer.status_code for answer in answers]


def test_the_model_list_is_copilots_own(copilot: CopilotFake, root: str) -> None:
    """Read live with the login's token: a model only Copilot's /models names is listed."""
    import tests.fakes.copilot as fake

    listed: set[str] = set()
    deadline = time.monotonic() + 10
    while "gpt-4.1-copilot-only" not in listed and time.monotonic() < deadline:
        time.sleep(0.05)
        answer = httpx.get(f"{root}/v1/models")
        listed = {model["id"] for model in answer.json()["data"]}
    assert set(fake.MODELS) <= listed and copilot.list_requests

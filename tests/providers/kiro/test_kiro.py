"""Kiro end to end: every client dialect's official SDK through dragoman to the fake
Kiro runtime (binary event stream, CRCs and all), text and tools, streamed and whole;
the headers and body Kiro gets; errors as the pools and the clients see them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conformance.clients import DRIVERS
from tests.conformance.scenario import ARGS, RESULTS, TOOLS
from tests.fakes import Reply
from tests.fakes.fixtures import FakeUpstreams
from tests.fakes.kiro import LIMIT, PROFILE_ARN, SUSPENDED, KiroFake
from tests.fakes.script import Call, Failure
from tests.gateway import serve_gateway
from tests.providers.kiro.conftest import key_login, social_login, store
from tests.subscriptions import sdk_clients, stored_logins

MODEL = "claude-sonnet-4.5"


@pytest.fixture(params=["social", "api_key"])
def login(request: pytest.FixtureRequest, kiro: KiroFake, dragoman_home: Path) -> str:
    store(dragoman_home, social_login(kiro) if request.param == "social" else key_login(kiro))
    return str(request.param)


@pytest.fixture
def root(kiro: KiroFake, login: str, fakes: FakeUpstreams) -> Iterator[str]:
    with serve_gateway(fakes, providers={}, oauth=kiro.settings()) as url:
        yield url


@pytest.fixture
def sdks(root: str) -> Iterator[dict[str, Any]]:
    with sdk_clients(root) as clients:
        yield clients


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
@pytest.mark.parametrize("dialect", sorted(DRIVERS))
def test_each_client_dialect_gets_kiros_text(
    kiro: KiroFake, sdks: dict[str, Any], login: str, dialect: str, stream: bool
) -> None:
    kiro.script(Reply(text="Hello from Kiro", chunks=5))
    talk = DRIVERS[dialect](sdks[dialect], MODEL, stream)
    talk.system("Be terse.")
    talk.user("Hi")
    assert talk.send().text == "Hello from Kiro"
    sent = kiro.last
    assert sent.path == "/generateAssistantResponse"
    current = sent.json["conversationState"]["currentMessage"]["userInputMessage"]
    assert current["modelId"] == MODEL and current["content"].endswith("Hi")
    assert "Be terse." in current["content"]
    [stored] = stored_logins(Path(os.environ["DRAGOMAN_HOME"]))
    assert sent.header("authorization") == f"Bearer {stored.access_token}"
    assert sent.header("x-amzn-codewhisperer-optout") == "true" and sent.header("amz-sdk-invocation-id")
    assert sent.header("accept") == "application/json" and sent.header("x-amz-target") is None
    if login == "api_key":
        assert sent.header("tokentype") == "API_KEY" and "profileArn" not in sent.json
    else:
        assert sent.header("tokentype") is None and sent.json["profileArn"] == PROFILE_ARN


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
@pytest.mark.parametrize("dialect", sorted(DRIVERS))
def test_a_tool_round_trip_through_each_dialect(
    kiro: KiroFake, sdks: dict[str, Any], dialect: str, stream: bool
) -> None:
    calls = [Call(spec.name, ARGS[spec.name]) for spec in TOOLS]
    kiro.script(Reply(tool_calls=calls), Reply(text="Paris: 18C and sunny, 14:05."))
    talk = DRIVERS[dialect](sdks[dialect], MODEL, stream)
    talk.tools(TOOLS)
    talk.user("Weather and time in Paris?")
    first = talk.send()
    assert [call.name for call in first.calls] == [spec.name for spec in TOOLS]
    assert [call.args for call in first.calls] == [ARGS[spec.name] for spec in TOOLS]
    talk.answer_calls(RESULTS)
    assert talk.send().text == "Paris: 18C and sunny, 14:05."
    state = kiro.last.json["conversationState"]
    # The calls are in history, their results and the tools on the current message only.
    [asked, answered] = state["history"]
    assert "userInputMessageContext" not in asked["userInputMessage"]
    assert [use["name"] for use in answered["assistantResponseMessage"]["toolUses"]] == [
        s.name for s in TOOLS
    ]
    context = state["currentMessage"]["userInputMessage"]["userInputMessageContext"]
    assert len(context["toolResults"]) == len(TOOLS) and len(context["tools"]) == len(TOOLS)


@pytest.mark.parametrize(
    ("failure", "status"),
    [
        (Failure(429, "Too many requests", kind="ThrottlingException"), 429),
        (Failure(402, LIMIT), 402),
        (Failure(403, SUSPENDED), 403),
    ],
    ids=["throttled", "limit", "suspended"],
)
def test_kiros_refusals_reach_the_client_with_their_reason(
    kiro: KiroFake, sdks: dict[str, Any], failure: Failure, status: int
) -> None:
    import openai

    kiro.script(Reply(error=failure), Reply(error=failure))
    with pytest.raises(openai.APIStatusError) as caught:
        sdks["openai_chat"].chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "Hi"}])
    assert caught.value.status_code == status
    assert failure.message in str(caught.value)


def test_an_exception_frame_mid_stream_ends_the_clients_stream(kiro: KiroFake, sdks: dict[str, Any]) -> None:
    import anthropic

    kiro.script(
        Reply(
            text="partial",
            error=Failure(500, "internal failure", kind="InternalServerException", mid_stream=True),
        )
    )
    messages = [{"role": "user", "content": "Hi"}]
    with (
        pytest.raises(anthropic.APIStatusError, match="internal failure"),
        sdks["anthropic"].messages.stream(model=MODEL, max_tokens=100, messages=messages) as stream,
    ):
        for _ in stream:
            pass


def test_a_damaged_frame_is_a_clear_error_for_the_client(kiro: KiroFake, sdks: dict[str, Any]) -> None:
    import openai

    kiro.corrupt = True
    with pytest.raises(openai.APIStatusError) as caught:
        sdks["openai_chat"].chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "Hi"}])
    assert caught.value.status_code == 502 and "CRC" in str(caught.value)


def test_a_throttled_account_passes_the_request_to_the_next_one(
    kiro: KiroFake, dragoman_home: Path, fakes: FakeUpstreams
) -> None:
    """A ThrottlingException frame before any content is judged as the 429 it stands
    for: the pool cools that account and the other one answers, the client none the wiser."""
    store(dragoman_home, social_login(kiro))
    store(dragoman_home, key_login(kiro))
    throttled = Failure(429, "Too many requests", kind="ThrottlingException", mid_stream=True)
    kiro.script(Reply(error=throttled), Reply(text="from the other account"))
    with serve_gateway(fakes, providers={}, oauth=kiro.settings()) as url, sdk_clients(url) as clients:
        answer = clients["openai_chat"].chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": "Hi"}], stream=False
        )
    assert answer.choices[0].message.content == "from the other account"
    assert len(kiro.requests) == 2
    assert {record.header("tokentype") for record in kiro.requests} == {None, "API_KEY"}


def test_reasoning_kiro_sends_reaches_a_claude_client_and_is_not_sent_back(
    kiro: KiroFake, sdks: dict[str, Any]
) -> None:
    kiro.script(Reply(text="4", thinking="2+2 is 4"), Reply(text="8"))
    client = sdks["anthropic"]
    messages: list[dict[str, Any]] = [{"role": "user", "content": "2+2?"}]
    first = client.messages.create(model=MODEL, max_tokens=100, messages=messages)
    assert [block.type for block in first.content] == ["thinking", "text"]
    assert first.content[0].thinking == "2+2 is 4"
    messages += [
        {"role": "assistant", "content": [block.model_dump() for block in first.content]},
        {"role": "user", "content": "Double it"},
    ]
    assert client.messages.create(model=MODEL, max_tokens=100, messages=messages).content[0].text == "8"
    [_, answered] = kiro.last.json["conversationState"]["history"]
    assert answered == {"assistantResponseMessage": {"content": "4"}}

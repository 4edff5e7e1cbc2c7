"""Fallback chains end to end: a real dragoman in front of the four fake upstreams, each
an account serving its dialect's models, chained across dialects:

    gpt-4.1 (openai_chat) -> gpt-5 (openai_responses) -> claude-sonnet-4-6 (anthropic)
    -> gemini-2.5-flash (gemini);   gemini-3-pro-preview (gemini) -> gpt-4.1

Clients talk through their official SDKs (the conformance drivers); the fakes answer
with each provider's own errors."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import anthropic
import httpx
import openai
import pytest
from google import genai
from google.genai import types

from tests.conformance.clients import DRIVERS
from tests.fakes import Failure, Reply
from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import MODEL_OF, serve_gateway
from tests.server.test_pooling import ANTHROPIC, REFUSED_IN

CHAT, RESPONSES, CLAUDE, FLASH, GEMINI_PRO = (
    "gpt-4.1",
    "gpt-5",
    "claude-sonnet-4-6",
    "gemini-2.5-flash",
    "gemini-3-pro-preview",
)
FALLBACKS = {CHAT: [RESPONSES], RESPONSES: [CLAUDE], CLAUDE: [FLASH], GEMINI_PRO: ["smart"]}
ALIASES = {"smart": CHAT}
# The model each dialect's client asks for, and the dialect of the model its chain goes to next.
FIRST = {"openai_chat": CHAT, "openai_responses": RESPONSES, "anthropic": CLAUDE, "gemini": GEMINI_PRO}
NEXT = {
    "openai_chat": "openai_responses",
    "openai_responses": "anthropic",
    "anthropic": "gemini",
    "gemini": "openai_chat",
}
CLIENT_KEY = "fallback-key"


@pytest.fixture(scope="module")
def gateway(fake_upstreams_session: FakeUpstreams, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name.startswith("DRAGOMAN_"):
                patch.delenv(name)
        patch.setenv("DRAGOMAN_HOME", str(tmp_path_factory.mktemp("dragoman-home")))
        models = {"aliases": ALIASES, "fallbacks": FALLBACKS}
        fake_upstreams_session.reset()  # the keys an earlier test changed are the fakes' own again
        with serve_gateway(fake_upstreams_session, models=models) as root:
            yield root


@pytest.fixture(scope="module")
def sdks(gateway: str) -> Iterator[dict[str, Any]]:
    oai = openai.OpenAI(api_key=CLIENT_KEY, base_url=gateway + "/v1", max_retries=0)
    claude = anthropic.Anthropic(api_key=CLIENT_KEY, base_url=gateway, max_retries=0)
    google = genai.Client(
        api_key=CLIENT_KEY,
        http_options=types.HttpOptions(
            base_url=gateway, api_version="v1beta", retry_options=types.HttpRetryOptions(attempts=1)
        ),
    )
    yield {"openai_chat": oai, "openai_responses": oai, "anthropic": claude, "gemini": google}
    oai.close()
    claude.close()
    google.close()


def traces(url: str) -> list[dict[str, Any]]:
    answer = httpx.get(url + "/v1/traces", timeout=10)
    assert answer.status_code == 200, answer.text
    return list(answer.json()["traces"])


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
@pytest.mark.parametrize("dialect", sorted(FIRST))
def test_a_model_whose_accounts_fail_is_served_by_the_next_of_its_chain(
    fakes: FakeUpstreams, gateway: str, sdks: dict[str, Any], dialect: str, stream: bool
) -> None:
    first, then = fakes[dialect], fakes[NEXT[dialect]]
    first.script(Reply(error=Failure(503, "The server is overloaded")))
    then.script(Reply(text="Served by the fallback.", chunks=3))
    talk = DRIVERS[dialect](sdks[dialect], FIRST[dialect], stream)
    talk.user("Say hello.")

    answer = talk.send()

    assert answer.text == "Served by the fallback."
    assert set(answer.models) == {MODEL_OF[NEXT[dialect]]}  # the model that answered, by name
    assert (len(first.requests), len(then.requests)) == (1, 1)
    assert "Say hello." in then.last.body.decode()
    trace = traces(gateway)[0]
    assert trace["model"] == FIRST[dialect] and trace["upstream_model"] == MODEL_OF[NEXT[dialect]]
    assert trace["reason"].startswith(f"fallback from {FIRST[dialect]} because ")
    assert [attempt["account"] for attempt in trace["attempts"]] == [f"up_{dialect}", f"up_{NEXT[dialect]}"]


def chat(url: str, model: str = CHAT, **extra: Any) -> httpx.Response:
    body = {"model": model, "messages": [{"role": "user", "content": "hi"}], **extra}
    return httpx.post(url + "/v1/chat/completions", json=body, timeout=10)


def test_a_cooling_model_sends_its_requests_to_the_next_without_asking_it(
    fakes: FakeUpstreams, gateway: str
) -> None:
    fakes.openai_chat.script(Reply(error=Failure(429, "Rate limit reached for requests", retry_after=300)))
    answers = [chat(gateway), chat(gateway)]
    assert [answer.status_code for answer in answers] == [200, 200]
    assert [answer.json()["model"] for answer in answers] == [RESPONSES, RESPONSES]
    assert len(fakes.openai_chat.requests) == 1  # cooling: not asked again
    assert len(fakes.openai_responses.requests) == 2
    reason = traces(gateway)[0]["reason"]
    assert reason.startswith(
        f"fallback from {CHAT} because no account can serve it now: up_openai_chat: cooling"
    )


def test_an_alias_follows_the_chain_of_the_model_it_names(fakes: FakeUpstreams, gateway: str) -> None:
    fakes.openai_chat.script(Reply(error=Failure(503, "down")))
    answer = chat(gateway, "smart")
    assert answer.status_code == 200
    assert answer.json()["model"] == RESPONSES
    assert len(fakes.openai_responses.requests) == 1


def test_a_request_the_upstream_calls_wrong_does_not_move_along(fakes: FakeUpstreams, gateway: str) -> None:
    fakes.openai_chat.script(
        Reply(error=Failure(400, "Invalid value for 'temperature'.", reason="invalid_value"))
    )
    answer = chat(gateway)
    assert answer.status_code == 400
    assert "temperature" in answer.json()["error"]["message"]
    assert len(fakes.openai_responses.requests) == 0
    assert [len(fake.requests) for fake in fakes] == [1, 0, 0, 0]


def test_the_whole_chain_out_is_one_429_naming_each_model_with_the_earliest_retry(
    fakes: FakeUpstreams, gateway: str
) -> None:
    for fake, seconds in zip(fakes, [900, 600, 300, 1200], strict=True):
        fake.script(Reply(error=Failure(429, "slow down", retry_after=seconds)))
    first = chat(gateway)  # every model answers 429: each account cools, the last failure goes back
    refused = chat(gateway)  # now every model is out before anything is asked
    assert first.status_code == refused.status_code == 429
    assert [len(fake.requests) for fake in fakes] == [1, 1, 1, 1]
    message = refused.json()["error"]["message"]
    assert message.startswith(f"no account can serve {CHAT} or its fallbacks now: ")
    for model, account in [
        (CHAT, "openai_chat"),
        (RESPONSES, "openai_responses"),
        (CLAUDE, "anthropic"),
        (FLASH, "gemini"),
    ]:
        assert f"{model}: up_{account}: cooling until" in message
    assert 250 <= int(refused.headers["retry-after"]) <= 331  # anthropic's 300 s, the earliest


def test_the_whole_chain_out_is_a_429_in_each_clients_dialect(fakes: FakeUpstreams, gateway: str) -> None:
    for fake in fakes:
        fake.script(Reply(error=Failure(429, "slow down", retry_after=120)))
    assert chat(gateway, GEMINI_PRO).status_code == 429  # gemini-3 -> gpt-4.1 -> ... -> flash: all cool
    path, body = REFUSED_IN["gemini"]
    refused = httpx.post(gateway + path.replace("/m:", f"/{GEMINI_PRO}:"), json=body, timeout=10)
    assert refused.status_code == 429
    assert refused.json()["error"]["status"] == "RESOURCE_EXHAUSTED"
    assert f"no account can serve {GEMINI_PRO} or its fallbacks now" in refused.text
    path, body = REFUSED_IN["anthropic"]
    refused = httpx.post(gateway + path, json={**body, "model": CLAUDE}, headers=ANTHROPIC, timeout=10)
    assert refused.status_code == 429 and refused.json()["error"]["type"] == "rate_limit_error"


def test_thinking_signed_by_one_account_does_not_follow_the_request_to_another(
    fakes: FakeUpstreams, gateway: str
) -> None:
    """Claude Code's history holds thinking signed by the anthropic account; the model
    falls back to gemini, which never sees that thinking."""
    thinking = {"type": "enabled", "budget_tokens": 1024}
    messages = [{"role": "user", "content": "plan it"}]
    fakes.anthropic.script(Reply(thinking="a plan", text="Here is the plan.", chunks=1))
    body = {"model": CLAUDE, "max_tokens": 2048, "thinking": thinking, "messages": messages}
    first = httpx.post(gateway + "/v1/messages", json=body, headers=ANTHROPIC, timeout=10).json()
    history = [
        *messages,
        {"role": "assistant", "content": first["content"]},
        {"role": "user", "content": "go on"},
    ]
    fakes.anthropic.script(Reply(error=Failure(529, "Overloaded")))
    again = httpx.post(
        gateway + "/v1/messages", json={**body, "messages": history}, headers=ANTHROPIC, timeout=10
    )
    assert again.status_code == 200, again.text
    assert again.json()["model"] == FLASH
    sent = fakes.gemini.last.json["contents"]
    assert [part.get("text") for content in sent for part in content["parts"]] == [
        "plan it",
        "Here is the plan.",
        "go on",
    ]
    assert not any(
        part.get("thought") or part.get("thoughtSignature") for content in sent for part in content["parts"]
    )


# Context windows: the built-in model data of the `openai` and `anthropic` kinds knows them.
SMALL, LARGE = "gpt-4o-mini", "claude-sonnet-4-5"  # 128 000 and 200 000 tokens


def windowed(fakes: FakeUpstreams) -> dict[str, dict[str, Any]]:
    return {
        "small": {
            "kind": "openai",
            "dialect": "openai_chat",
            "base_url": fakes.openai_chat.base_url,
            "api_key": fakes.openai_chat.key,
            "models": [SMALL],
        },
        "large": {
            "kind": "anthropic",
            "base_url": fakes.anthropic.base_url,
            "api_key": fakes.anthropic.key,
            "models": [LARGE],
        },
    }


def long_chat(url: str, tokens: int) -> httpx.Response:
    """A Chat request of about `tokens` tokens by dragoman's estimate (four characters each)."""
    body = {"model": SMALL, "messages": [{"role": "user", "content": "word " * (tokens * 4 // 5)}]}
    return httpx.post(url + "/v1/chat/completions", json=body, timeout=30)


@pytest.mark.parametrize("where", ["chain", "context_fallback"])
def test_a_request_estimated_too_long_goes_to_a_model_whose_window_fits(
    fakes: FakeUpstreams, where: str
) -> None:
    models = {"fallbacks": {SMALL: [LARGE]}} if where == "chain" else {"context_fallback": LARGE}
    with serve_gateway(fakes, providers=windowed(fakes), models=models) as url:
        answer = long_chat(url, 150_000)
        short = long_chat(url, 1_000)
        reason = traces(url)[1]["reason"]
    assert answer.status_code == 200, answer.text
    assert answer.json()["model"] == LARGE
    assert short.status_code == 200 and short.json()["model"] == SMALL
    assert len(fakes.openai_chat.requests) == 1  # the short one only
    assert len(fakes.anthropic.requests) == 1
    assert reason.startswith(f"fallback from {SMALL} because the request (about 1500")
    assert "is longer than its context window (128000)" in reason


def test_context_fallback_is_no_fallback_for_accounts_that_are_out(fakes: FakeUpstreams) -> None:
    fakes.openai_chat.script(Reply(error=Failure(503, "down")))
    with serve_gateway(fakes, providers=windowed(fakes), models={"context_fallback": LARGE}) as url:
        answer = long_chat(url, 10)
    assert answer.status_code == 503
    assert len(fakes.anthropic.requests) == 0


def test_a_request_the_upstream_refuses_as_too_long_goes_to_a_larger_window(fakes: FakeUpstreams) -> None:
    fakes.openai_chat.context_window = 100  # its own count: smaller than dragoman's estimate knows
    with serve_gateway(fakes, providers=windowed(fakes), models={"fallbacks": {SMALL: [LARGE]}}) as url:
        answer = long_chat(url, 1_000)
        reason = traces(url)[0]["reason"]
    assert answer.status_code == 200, answer.text
    assert answer.json()["model"] == LARGE
    assert (len(fakes.openai_chat.requests), len(fakes.anthropic.requests)) == (1, 1)
    assert reason.startswith(f"fallback from {SMALL} because ")


def test_a_request_too_long_for_the_whole_chain_is_a_400_naming_both_numbers(fakes: FakeUpstreams) -> None:
    with serve_gateway(fakes, providers=windowed(fakes), models={"fallbacks": {SMALL: [LARGE]}}) as url:
        answer = long_chat(url, 250_000)
        path, body = REFUSED_IN["anthropic"]
        words = "word " * 1_000_000
        claude = httpx.post(
            url + path,
            json={**body, "model": SMALL, "messages": [{"role": "user", "content": words}]},
            headers=ANTHROPIC,
            timeout=30,
        )
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert "about 2500" in error["message"] and "tokens (estimated)" in error["message"]
    assert f"{SMALL} (128000 tokens)" in error["message"] and f"{LARGE} (200000)" in error["message"]
    assert claude.status_code == 400 and claude.json()["error"]["type"] == "invalid_request_error"
    assert "128000 tokens" in claude.json()["error"]["message"]
    assert [len(fake.requests) for fake in fakes] == [0, 0, 0, 0]


def test_refused_as_too_long_by_every_model_is_a_400_naming_the_windows(fakes: FakeUpstreams) -> None:
    fakes.openai_chat.context_window = fakes.anthropic.context_window = 100
    with serve_gateway(fakes, providers=windowed(fakes), models={"fallbacks": {SMALL: [LARGE]}}) as url:
        answer = long_chat(url, 1_000)
    assert answer.status_code == 400
    message = answer.json()["error"]["message"]
    assert "about 10" in message and f"{SMALL} (128000 tokens" in message and f"{LARGE} (200000" in message
    assert (len(fakes.openai_chat.requests), len(fakes.anthropic.requests)) == (1, 1)


def test_a_continuation_stays_with_the_model_that_stored_its_conversation(
    fakes: FakeUpstreams, gateway: str
) -> None:
    first = httpx.post(gateway + "/v1/responses", json={"model": RESPONSES, "input": "one"}, timeout=10)
    fakes.openai_responses.script(Reply(error=Failure(503, "down")))
    body = {"model": RESPONSES, "input": "two", "previous_response_id": first.json()["id"]}
    again = httpx.post(gateway + "/v1/responses", json=body, timeout=10)
    assert again.status_code == 503
    assert len(fakes.anthropic.requests) == 0  # the chain's next model never saw half a conversation


def test_a_model_out_for_a_blip_is_passed_over_then_tried_when_the_rest_is_out(
    fakes: FakeUpstreams, gateway: str
) -> None:
    """A 5xx cools an account briefly: while it does, its model's requests go down the
    chain; with every other model out for longer, it is tried after all."""
    fakes.openai_chat.script(Reply(error=Failure(503, "down for a moment")))
    assert [chat(gateway).json()["model"], chat(gateway).json()["model"]] == [RESPONSES, RESPONSES]
    assert len(fakes.openai_chat.requests) == 1
    for fake in [fakes.openai_responses, fakes.anthropic, fakes.gemini]:
        fake.script(Reply(error=Failure(429, "slow down", retry_after=600)))
    answer = chat(gateway)  # gpt-4.1 passed over, the other three answer 429, then gpt-4.1 after all
    assert answer.status_code == 200
    assert answer.json()["model"] == CHAT
    assert [len(fake.requests) for fake in fakes] == [2, 3, 1, 1]


def test_after_a_refusal_as_too_long_no_window_as_small_is_tried(fakes: FakeUpstreams) -> None:
    fakes.openai_chat.context_window = 100
    providers = windowed(fakes)
    providers["small"]["models"] = [SMALL, "gpt-4o"]  # both 128 000 tokens
    with serve_gateway(fakes, providers=providers, models={"fallbacks": {SMALL: ["gpt-4o", LARGE]}}) as url:
        answer = long_chat(url, 1_000)
        reason = traces(url)[0]["reason"]
    assert answer.status_code == 200 and answer.json()["model"] == LARGE
    assert len(fakes.openai_chat.requests) == 1  # gpt-4o is not asked: its window is no larger
    assert reason == (
        "fallback from gpt-4o because its context window (128000) is no larger than one that refused "
        "the request as too long"
    )


@pytest.mark.parametrize("asked", ["cheap", "auto"])
def test_the_model_a_rule_or_auto_picked_follows_its_chain(fakes: FakeUpstreams, asked: str) -> None:
    tiers = dict.fromkeys(["simple", "medium", "complex", "reasoning"], CHAT)
    rules = [{"name": "cheap", "match": {"model": "cheap"}, "set": {"model": CHAT}}]
    fakes.openai_chat.script(Reply(error=Failure(503, "down")))
    settings = {"auto": {"tiers": tiers}, "routing": {"rules": rules}, "models": {"fallbacks": FALLBACKS}}
    with serve_gateway(fakes, **settings) as url:
        answer = chat(url, asked)
        trace = traces(url)[0]
    assert answer.status_code == 200, answer.text
    assert answer.json()["model"] == RESPONSES
    assert f"model={CHAT}" in answer.headers["x-dragoman-route"]  # what the policy picked
    assert trace["reason"].startswith(f"fallback from {CHAT} because 503")

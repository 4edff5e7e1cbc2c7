"""Account pools end to end: a real dragoman in front of fake upstreams that answer with
each provider's own rate-limit headers and error bodies. Several `[providers.NAME]`
tables point at one fake; each sends its name in `x-account`, so the fake's record
says which account every request reached."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import Any

import httpx
import orjson
import pytest

from tests.fakes import Failure, Reply
from tests.fakes.base import Fake
from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import serve_gateway

ANTHROPIC = {"anthropic-version": "2023-06-01"}
FABLE, OPUS = "claude-fable-5", "claude-opus-4-5"


def pool(fake: Fake, names: list[str], models: list[str], **extra: Any) -> dict[str, dict[str, Any]]:
    return {
        name: {
            "kind": "openai_compatible",
            "dialect": fake.dialect,
            "base_url": fake.base_url,
            "api_key": fake.key,
            "models": models,
            "headers": {"x-account": name},
            **extra,
        }
        for name in names
    }


def reached(fake: Fake) -> list[str | None]:
    return [request.header("x-account") for request in fake.requests]


def names(count: int) -> list[str]:
    return [f"acct-{n}" for n in range(count)]


def unified_429(reset: float, window: str = "5h") -> Reply:
    """Anthropic's subscription answer when a window is spent (pools.md §1)."""
    headers = {
        "anthropic-ratelimit-unified-status": "rejected",
        f"anthropic-ratelimit-unified-{window}-status": "rejected",
        f"anthropic-ratelimit-unified-{window}-reset": str(int(reset)),
        f"anthropic-ratelimit-unified-{window}-utilization": "1.0",
    }
    return Reply(error=Failure(429, "rate limited", kind="rate_limit_error", headers=headers))


def claude(url: str, model: str = OPUS, **extra: Any) -> httpx.Response:
    body = {"model": model, "max_tokens": 10, "messages": [{"role": "user", "content": "hi"}], **extra}
    return httpx.post(url + "/v1/messages", json=body, headers=ANTHROPIC, timeout=10)


def test_a_429_storm_cools_every_account_until_its_reset(fakes: FakeUpstreams) -> None:
    reset = time.time() + 3600
    fakes.anthropic.script(*(unified_429(reset + 60 * n) for n in range(5)))
    with serve_gateway(fakes, providers=pool(fakes.anthropic, names(5), [OPUS])) as url:
        first = claude(url)
        assert reached(fakes.anthropic) == names(5)  # each tried once, in order
        assert first.status_code == 429
        again = claude(url)
    assert len(fakes.anthropic.requests) == 5  # nobody is asked before its reset
    assert again.status_code == 429
    assert abs(int(again.headers["retry-after"]) - 3600) <= 31  # the earliest reset, jitter at most 30 s
    assert all(name in again.json()["error"]["message"] for name in names(5))


def test_a_weekly_reset_survives_a_restart(fakes: FakeUpstreams) -> None:
    week = time.time() + 6 * 86400
    fakes.anthropic.script(unified_429(week, "7d"))
    providers = pool(fakes.anthropic, ["solo"], [OPUS])
    with serve_gateway(fakes, providers=providers) as url:
        assert claude(url).status_code == 429
    with serve_gateway(fakes, providers=providers) as url:  # a new dragoman, the same home
        refused = claude(url)
    assert len(fakes.anthropic.requests) == 1
    assert refused.status_code == 429
    assert abs(int(refused.headers["retry-after"]) - 6 * 86400) <= 31


def test_a_family_only_rejection_leaves_the_other_families_served(fakes: FakeUpstreams) -> None:
    fakes.anthropic.script(unified_429(time.time() + 86400, "7d_oi"))
    with serve_gateway(fakes, providers=pool(fakes.anthropic, ["solo"], [FABLE, OPUS])) as url:
        assert claude(url, FABLE).status_code == 429
        assert claude(url, FABLE).status_code == 429  # refused here: the fake is not asked
        assert claude(url, OPUS).status_code == 200
    assert [request.json["model"] for request in fakes.anthropic.requests] == [FABLE, OPUS]


async def _conversations(url: str, count: int, turns: int) -> None:
    async with httpx.AsyncClient(timeout=30) as client:

        async def talk(n: int) -> None:
            for _ in range(turns):
                body = {"model": "m", "messages": [{"role": "user", "content": f"conversation {n}"}]}
                response = await client.post(
                    url + "/v1/chat/completions", json=body, headers={"x-session-id": f"s{n}"}
                )
                assert response.status_code == 200, response.text

        await asyncio.gather(*(talk(n) for n in range(count)))


@pytest.mark.parametrize(("strategy", "spread"), [("round-robin", [25, 25, 25, 25]), ("fill-first", [100])])
def test_100_conversations_spread_by_the_strategy_each_on_one_account(
    fakes: FakeUpstreams, strategy: str, spread: list[int]
) -> None:
    providers = pool(fakes.openai_chat, names(4), ["m"])
    with serve_gateway(fakes, providers=providers, pools={"strategy": strategy}) as url:
        asyncio.run(_conversations(url, 100, 3))
    accounts: dict[str, set[str | None]] = {}
    for request in fakes.openai_chat.requests:
        conversation = request.json["messages"][0]["content"]  # the session id is not passed on
        accounts.setdefault(conversation, set()).add(request.header("x-account"))
    assert len(accounts) == 100
    assert all(len(used) == 1 for used in accounts.values())
    per_account = Counter(next(iter(used)) for used in accounts.values())
    assert sorted(per_account.values(), reverse=True) == spread


def test_100_conversations_weighted_3_to_1_each_on_one_account(fakes: FakeUpstreams) -> None:
    providers = pool(fakes.openai_chat, ["heavy", "light"], ["m"])
    providers["heavy"]["weight"] = 3
    with serve_gateway(fakes, providers=providers, pools={"strategy": "weighted"}) as url:
        asyncio.run(_conversations(url, 100, 2))
    accounts: dict[str, set[str | None]] = {}
    for request in fakes.openai_chat.requests:
        accounts.setdefault(request.json["messages"][0]["content"], set()).add(request.header("x-account"))
    assert all(len(used) == 1 for used in accounts.values())
    assert Counter(next(iter(used)) for used in accounts.values()) == {"heavy": 75, "light": 25}


def test_a_binding_moves_when_its_account_fails(fakes: FakeUpstreams) -> None:
    chat = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
    session = {"x-session-id": "one"}
    with serve_gateway(fakes, providers=pool(fakes.openai_chat, ["a", "b"], ["m"])) as url:
        assert httpx.post(url + "/v1/chat/completions", json=chat, headers=session).status_code == 200
        fakes.openai_chat.script(Reply(error=Failure(503, "down for a moment")))
        for _ in range(3):
            assert httpx.post(url + "/v1/chat/completions", json=chat, headers=session).status_code == 200
    assert reached(fakes.openai_chat) == ["a", "a", "b", "b", "b"]


def _responses_stream(url: str) -> httpx.Response:
    body = {"model": "m", "input": "hi", "stream": True}
    return httpx.post(url + "/v1/responses", json=body, timeout=10)


# The fields of Codex's in-stream `{"type": "error", ...}` event (upstreams.md §1.7).
USAGE_LIMIT = {
    "code": "usage_limit_reached",
    "message": "The usage limit has been reached",
    "resets_in_seconds": 1800,
}


def test_a_usage_limit_event_before_content_fails_over(fakes: FakeUpstreams) -> None:
    fakes.openai_responses.script(Reply(error=Failure(429, mid_stream=True, body=USAGE_LIMIT)))
    fakes.openai_responses.script(Reply(text="from bob", chunks=1))
    with serve_gateway(fakes, providers=pool(fakes.openai_responses, ["alice", "bob"], ["m"])) as url:
        answer = _responses_stream(url)
    assert answer.status_code == 200
    assert "from bob" in answer.text and "usage_limit" not in answer.text
    assert reached(fakes.openai_responses) == ["alice", "bob"]


def test_a_usage_limit_event_after_content_reaches_the_client(fakes: FakeUpstreams) -> None:
    fakes.openai_responses.script(
        Reply(text="half an answer", error=Failure(429, mid_stream=True, body=USAGE_LIMIT))
    )
    with serve_gateway(fakes, providers=pool(fakes.openai_responses, ["alice", "bob"], ["m"])) as url:
        answer = _responses_stream(url)
    assert answer.status_code == 200
    assert "half an answer" in answer.text and "usage limit" in answer.text.lower()
    assert reached(fakes.openai_responses) == ["alice"]


REFUSED_IN = {
    "openai_chat": ("/v1/chat/completions", {"model": "m", "messages": [{"role": "user", "content": "hi"}]}),
    "openai_responses": ("/v1/responses", {"model": "m", "input": "hi"}),
    "anthropic": (
        "/v1/messages",
        {"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]},
    ),
    "gemini": ("/v1beta/models/m:generateContent", {"contents": [{"parts": [{"text": "hi"}]}]}),
}


def test_no_eligible_account_is_a_429_with_retry_after_in_each_dialect(fakes: FakeUpstreams) -> None:
    fakes.openai_chat.script(Reply(error=Failure(429, "slow down", retry_after=120)))
    with serve_gateway(fakes, providers=pool(fakes.openai_chat, ["solo"], ["m"])) as url:
        assert (
            httpx.post(url + REFUSED_IN["openai_chat"][0], json=REFUSED_IN["openai_chat"][1]).status_code
            == 429
        )
        answers = {
            dialect: httpx.post(url + path, json=body, headers=ANTHROPIC)
            for dialect, (path, body) in REFUSED_IN.items()
        }
    assert len(fakes.openai_chat.requests) == 1
    for dialect, answer in answers.items():
        assert answer.status_code == 429, dialect
        assert 90 <= int(answer.headers["retry-after"]) <= 151, dialect
        text = answer.text
        assert "no account can serve m now" in text and "solo: cooling until" in text, dialect
    assert answers["gemini"].json()["error"]["status"] == "RESOURCE_EXHAUSTED"
    assert answers["anthropic"].json()["error"]["type"] == "rate_limit_error"


def test_an_overloaded_event_before_content_fails_over(fakes: FakeUpstreams) -> None:
    fakes.anthropic.script(
        Reply(error=Failure(529, "Overloaded", mid_stream=True)), Reply(text="from bob", chunks=1)
    )
    with serve_gateway(fakes, providers=pool(fakes.anthropic, ["alice", "bob"], [OPUS])) as url:
        answer = claude(url, stream=True)
    assert answer.status_code == 200
    assert "from bob" in answer.text and "event: error" not in answer.text
    assert reached(fakes.anthropic) == ["alice", "bob"]


def test_a_gemini_retry_info_cools_the_account_for_its_delay(fakes: FakeUpstreams) -> None:
    retry = [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "40s"}]
    body = {
        "error": {"code": 429, "status": "RESOURCE_EXHAUSTED", "message": "Quota exceeded", "details": retry}
    }
    fakes.gemini.script(Reply(error=Failure(429, body=body)))
    path, request = REFUSED_IN["gemini"]
    with serve_gateway(fakes, providers=pool(fakes.gemini, ["solo"], ["m"])) as url:
        assert httpx.post(url + path, json=request).status_code == 429
        refused = httpx.post(url + path, json=request)
    assert len(fakes.gemini.requests) == 1
    assert refused.status_code == 429 and 39 <= int(refused.headers["retry-after"]) <= 71


def test_a_binding_is_dropped_when_its_account_goes_slow(fakes: FakeUpstreams) -> None:
    """Two conversations on two accounts (round-robin); the first one's account then
    takes 0.6 s to its first byte, well above the other's: after `strikes` slow answers
    in a row the conversation moves, and stays where it went."""
    slow = {"factor": 2.0, "floor_seconds": 0.3, "strikes": 2}
    settings = {"strategy": "round-robin", "slow": slow}

    def talk(url: str, session: str) -> int:
        body = {"model": "m", "messages": [{"role": "user", "content": f"conversation {session}"}]}
        headers = {"x-session-id": session}
        return httpx.post(url + "/v1/chat/completions", json=body, headers=headers, timeout=10).status_code

    with serve_gateway(fakes, providers=pool(fakes.openai_chat, ["a", "b"], ["m"]), pools=settings) as url:
        assert [talk(url, "one"), talk(url, "two")] == [200, 200]
        fakes.openai_chat.script(*[Reply(text="late", delay_before_first_byte=0.6)] * 2)
        assert [talk(url, "one"), talk(url, "one")] == [200, 200]
        assert [talk(url, "one"), talk(url, "one")] == [200, 200]
    assert reached(fakes.openai_chat) == ["a", "b", "a", "a", "b", "b"]


def test_an_error_after_content_is_not_held_against_the_account(fakes: FakeUpstreams) -> None:
    """Past the first content byte the answer is the client's: the error reaches it in
    its own dialect, no other account is tried, and the account is not cooled."""
    fakes.anthropic.script(
        Reply(text="half an answer", chunks=1, error=Failure(529, "Overloaded", mid_stream=True))
    )
    with serve_gateway(fakes, providers=pool(fakes.anthropic, ["alice", "bob"], [OPUS])) as url:
        cut = claude(url, stream=True)
        after = claude(url, messages=[{"role": "user", "content": "a new conversation"}])
    assert cut.status_code == 200
    assert "half an answer" in cut.text
    assert "event: error" in cut.text and "overloaded_error" in cut.text
    assert after.status_code == 200
    assert reached(fakes.anthropic) == ["alice", "alice"]  # fill-first: alice is still first


def test_a_usage_limit_after_content_does_not_cool_the_account(fakes: FakeUpstreams) -> None:
    fakes.openai_responses.script(
        Reply(text="half an answer", error=Failure(429, mid_stream=True, body=USAGE_LIMIT))
    )
    with serve_gateway(fakes, providers=pool(fakes.openai_responses, ["alice", "bob"], ["m"])) as url:
        assert "half an answer" in _responses_stream(url).text
        again = httpx.post(url + "/v1/responses", json={"model": "m", "input": "another"}, timeout=10)
    assert again.status_code == 200
    assert reached(fakes.openai_responses) == ["alice", "alice"]


def openai_429(minutes: int) -> Reply:
    """OpenAI's answer when the requests window is spent: its x-ratelimit-* headers."""
    headers = {
        "x-ratelimit-limit-requests": "500",
        "x-ratelimit-remaining-requests": "0",
        "x-ratelimit-reset-requests": f"{minutes}m0s",
    }
    return Reply(error=Failure(429, "Rate limit reached for requests", kind="requests", headers=headers))


def gemini_429(minutes: int) -> Reply:
    retry = [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": f"{minutes * 60}s"}]
    body = {
        "error": {"code": 429, "status": "RESOURCE_EXHAUSTED", "message": "Quota exceeded", "details": retry}
    }
    return Reply(error=Failure(429, body=body))


STORMS = {"openai_chat": openai_429, "gemini": gemini_429}


@pytest.mark.parametrize("dialect", sorted(STORMS))
def test_a_429_storm_with_each_providers_reset_signal(fakes: FakeUpstreams, dialect: str) -> None:
    """Five accounts each answer 429 with their own reset (10, 11, ... 14 minutes): each
    is tried once, then the pool refuses until the earliest reset, asking nobody."""
    fake = fakes[dialect]
    fake.script(*(STORMS[dialect](10 + n) for n in range(5)))
    path, body = REFUSED_IN[dialect]
    with serve_gateway(fakes, providers=pool(fake, names(5), ["m"])) as url:
        first = httpx.post(url + path, json=body, timeout=10)
        again = httpx.post(url + path, json=body, timeout=10)
    assert reached(fake) == names(5)
    assert first.status_code == again.status_code == 429
    assert 600 <= int(again.headers["retry-after"]) <= 631
    assert all(f"{name}: cooling until" in again.text for name in names(5))


def test_a_window_spent_on_a_success_is_known_before_the_429(fakes: FakeUpstreams) -> None:
    spent = {
        "x-ratelimit-limit-requests": "500",
        "x-ratelimit-remaining-requests": "0",
        "x-ratelimit-reset-requests": "10m0s",
    }
    fakes.openai_chat.script(Reply(text="the last one", headers=spent))
    with serve_gateway(fakes, providers=pool(fakes.openai_chat, ["a", "b"], ["m"])) as url:
        for n in range(3):
            chat = {"model": "m", "messages": [{"role": "user", "content": f"conversation {n}"}]}
            assert httpx.post(url + "/v1/chat/completions", json=chat, timeout=10).status_code == 200
    assert reached(fakes.openai_chat) == ["a", "b", "b"]


def _respond(url: str, text: str, **extra: Any) -> httpx.Response:
    return httpx.post(url + "/v1/responses", json={"model": "m", "input": text, **extra}, timeout=10)


@pytest.mark.parametrize("stream", [False, True])
def test_a_continuation_goes_to_the_account_that_stored_its_answer(
    fakes: FakeUpstreams, stream: bool
) -> None:
    """Round-robin would send the second request to bob; it names alice's answer as
    `previous_response_id`, which only alice's upstream storage knows."""
    providers = pool(fakes.openai_responses, ["alice", "bob"], ["m"])
    with serve_gateway(fakes, providers=providers, pools={"strategy": "round-robin"}) as url:
        first = _respond(url, "one", stream=stream)
        assert first.status_code == 200
        answer_id = _answer_id(first)
        assert _respond(url, "two", previous_response_id=answer_id).status_code == 200
        assert _respond(url, "a new conversation").status_code == 200
    assert reached(fakes.openai_responses) == ["alice", "alice", "bob"]
    assert fakes.openai_responses.requests[1].json["previous_response_id"] == answer_id


def test_a_continuation_waits_for_its_account_rather_than_going_elsewhere(fakes: FakeUpstreams) -> None:
    providers = pool(fakes.openai_responses, ["alice", "bob"], ["m"])
    with serve_gateway(fakes, providers=providers) as url:
        answer_id = _answer_id(_respond(url, "one"))
        fakes.openai_responses.script(Reply(error=Failure(429, "slow down", retry_after=120)))
        assert _respond(url, "two", previous_response_id=answer_id).status_code == 429
        refused = _respond(url, "three", previous_response_id=answer_id)
    assert reached(fakes.openai_responses) == ["alice", "alice"]
    assert refused.status_code == 429 and 90 <= int(refused.headers["retry-after"]) <= 151
    assert "alice: cooling until" in refused.text


def _answer_id(response: httpx.Response) -> str:
    if response.headers["content-type"].startswith("text/event-stream"):
        created = next(line for line in response.text.splitlines() if '"response.created"' in line)
        return str(orjson.loads(created.removeprefix("data: "))["response"]["id"])
    return str(response.json()["id"])


def test_refused_signatures_are_stripped_and_sent_once_more_to_the_same_account(fakes: FakeUpstreams) -> None:
    """Claude Code sends its history back as Anthropic gave it (signatures unwrapped);
    moved from another account, the fake (as Anthropic) refuses a signature it never
    issued. The same account gets the request once more, without the thinking blocks."""
    history = [
        {"role": "user", "content": "plan it"},
        {
            "role": "assistant",
            "content": [
                {"type": "thinking", "thinking": "a plan", "signature": "EqQBCkgIBxABGAIiQL-another-account"},
                {"type": "text", "text": "Here is the plan."},
            ],
        },
        {"role": "user", "content": "go on"},
    ]
    thinking = {"type": "enabled", "budget_tokens": 1024}
    with serve_gateway(fakes, providers=pool(fakes.anthropic, ["alice", "bob"], [OPUS])) as url:
        answer = claude(url, messages=history, max_tokens=2048, thinking=thinking)
    assert answer.status_code == 200, answer.text
    assert reached(fakes.anthropic) == ["alice", "alice"]
    sent = [
        [block["type"] for block in request.json["messages"][1]["content"]]
        for request in fakes.anthropic.requests
    ]
    assert sent == [["thinking", "text"], ["text"]]
    assert fakes.anthropic.requests[0].json["thinking"]["type"] == "enabled"


def test_signatures_refused_again_reach_the_client_without_a_third_try(fakes: FakeUpstreams) -> None:
    # The fake refuses the unknown signature itself; the second try meets this answer.
    fakes.anthropic.script(
        Reply(error=Failure(400, "messages.1.content.0: Invalid `signature` in `thinking` block"))
    )
    history = [
        {"role": "user", "content": "plan it"},
        {"role": "assistant", "content": [{"type": "thinking", "thinking": "p", "signature": "EqQBforeign"}]},
        {"role": "user", "content": "go on"},
    ]
    with serve_gateway(fakes, providers=pool(fakes.anthropic, ["alice", "bob"], [OPUS])) as url:
        answer = claude(url, messages=history)
    assert answer.status_code == 400
    assert answer.json()["error"]["type"] == "invalid_request_error"
    assert reached(fakes.anthropic) == ["alice", "alice"]


def test_a_conversation_failing_over_leaves_its_thinking_on_the_account_that_signed_it(
    fakes: FakeUpstreams,
) -> None:
    thinking = {"type": "enabled", "budget_tokens": 1024}
    fakes.anthropic.script(Reply(thinking="a plan", text="Here is the plan.", chunks=1))
    with serve_gateway(fakes, providers=pool(fakes.anthropic, ["alice", "bob"], [OPUS])) as url:
        first = claude(url, max_tokens=2048, thinking=thinking).json()
        signed = next(block for block in first["content"] if block["type"] == "thinking")
        history = [
            {"role": "user", "content": "hi"},
            {"role": "assistant", "content": first["content"]},
            {"role": "user", "content": "go on"},
        ]
        fakes.anthropic.script(Reply(error=Failure(529, "Overloaded")))
        answer = claude(url, messages=history, max_tokens=2048, thinking=thinking)
    assert answer.status_code == 200, answer.text
    assert signed["signature"].startswith("dgm2~openai_compatible:alice~")
    assert reached(fakes.anthropic) == ["alice", "alice", "bob"]
    kinds = [
        [block["type"] for block in request.json["messages"][1]["content"]]
        for request in fakes.anthropic.requests[1:]
    ]
    assert kinds == [["thinking", "text"], ["text"]]  # alice's signature never reaches bob

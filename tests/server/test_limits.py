"""Local keys' limits on a real dragoman: reserved before sending, settled as answers end,
refused in each client's dialect (`server.limits`, `policy.budgets`)."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from dragoman import dialects
from dragoman.ir import tokens
from dragoman.policy.budgets import counter_name
from dragoman.policy.keys import Limit, LocalKey, digest
from dragoman.state import Period, open_state
from tests.cli.test_serve_workers import eventually
from tests.fakes import Failure, Reply, Usage
from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import APPS, serve_gateway

DAY = Period.fixed("day")
DIALECTS = ["openai_chat", "openai_responses", "anthropic", "gemini"]


def secret(key: LocalKey) -> str:
    return f"dk-test-{key.name}-5f0c2a9e81d34b7a"


def headers(key: LocalKey) -> dict[str, str]:
    return {"authorization": f"Bearer {secret(key)}"}


@contextmanager
def keyed(fakes: FakeUpstreams, *keys: LocalKey, **settings: Any) -> Iterator[str]:
    """A running dragoman that accepts these named keys."""
    with serve_gateway(fakes, **settings) as url:
        APPS[url].state.key_ring.replace([(digest(secret(key)), key) for key in keys])
        yield url


def ask(
    dialect: str, model: str = "gpt-4.1", max_tokens: int | None = 100, stream: bool = False
) -> tuple[str, Any]:
    """The path and body of a one-line question in `dialect`."""
    said = [{"role": "user", "content": "What is the capital of France?"}]
    if dialect == "gemini":
        action = "streamGenerateContent?alt=sse" if stream else "generateContent"
        config = {"maxOutputTokens": max_tokens} if max_tokens else {}
        parts = [{"role": "user", "parts": [{"text": said[0]["content"]}]}]
        return f"/v1beta/models/{model}:{action}", {"contents": parts, "generationConfig": config}
    if dialect == "openai_responses":
        body: dict[str, Any] = {"model": model, "input": said, "stream": stream}
        return "/v1/responses", body | ({"max_output_tokens": max_tokens} if max_tokens else {})
    body = {"model": model, "messages": said, "stream": stream}
    if dialect == "anthropic":
        return "/v1/messages", body | {"max_tokens": max_tokens or 1024}
    return "/v1/chat/completions", body | ({"max_tokens": max_tokens} if max_tokens else {})


def reserved(dialect: str, model: str = "gpt-4.1", max_tokens: int = 100) -> int:
    """The tokens a request of `ask` reserves: its prompt's estimate and its max output."""
    _, body = ask(dialect, model, max_tokens)
    parse = dialects.get(dialect).request.parse
    parsed = parse(body, model=model, stream=False) if dialect == "gemini" else parse(body)
    return tokens.estimate(parsed) + max_tokens


def spent(home: Path, key: LocalKey, limit: Limit) -> float:
    async def read() -> float:
        async with open_state(home, backend="host") as state:
            return await state.counters.used(counter_name(key, limit), limit.period)

    return asyncio.run(read())


def error_of(dialect: str, answer: httpx.Response) -> tuple[str, str]:
    """(error type, message) as the dialect's clients read them."""
    error = answer.json()["error"]
    if dialect == "gemini":
        return error["status"], error["message"]
    return error["type"], error["message"]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_rate_limit_is_a_429_with_retry_after_in_each_dialect(fakes: FakeUpstreams, dialect: str) -> None:
    alice = LocalKey("alice", limits=(Limit("rpm", "requests", 2, Period.rolling(60)),))
    with keyed(fakes, alice) as url:
        path, body = ask(dialect)
        started = time.time()
        assert [httpx.post(url + path, json=body, headers=headers(alice)).status_code for _ in range(2)] == [
            200
        ] * 2
        refused = httpx.post(url + path, json=body, headers=headers(alice))
    assert refused.status_code == 429
    kind, message = error_of(dialect, refused)
    assert kind == ("RESOURCE_EXHAUSTED" if dialect == "gemini" else "rate_limit_error")
    assert "key 'alice' reached its rate limit rpm 2 (2 requests of 2 requests used); try again at" in message
    # Per-second buckets: the first request leaves the window 59-60 s after it came.
    assert 59 - (time.time() - started) <= int(refused.headers["retry-after"]) <= 61


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_spent_quota_is_a_403_with_its_reset_in_each_dialect(fakes: FakeUpstreams, dialect: str) -> None:
    alice = LocalKey("alice", limits=(Limit("requests", "requests", 1, DAY),))
    with keyed(fakes, alice) as url:
        path, body = ask(dialect)
        assert httpx.post(url + path, json=body, headers=headers(alice)).status_code == 200
        refused = httpx.post(url + path, json=body, headers=headers(alice))
    assert refused.status_code == 403
    assert "retry-after" not in refused.headers
    kind, message = error_of(dialect, refused)
    assert kind == ("PERMISSION_DENIED" if dialect == "gemini" else "permission_error")
    assert "key 'alice' is over its requests 1/day: 1 requests of 1 requests used" in message
    assert "it resets at " in message and " UTC (in " in message


def test_a_money_budget_counts_each_answer_at_its_price(fakes: FakeUpstreams, dragoman_home: Path) -> None:
    budget = Limit("budget", "cost", 0.001, Period.fixed("month"))
    alice = LocalKey("alice", limits=(budget,))
    path, body = ask("openai_chat", "gpt-4.1", max_tokens=100)  # $8/M out: $0.0008 reserved, and the prompt
    fakes.openai_chat.script(Reply(text="Paris", usage=Usage(input=10, output=100)))
    with keyed(fakes, alice) as url:
        assert httpx.post(url + path, json=body, headers=headers(alice)).status_code == 200
        assert spent(dragoman_home, alice, budget) == pytest.approx(10 * 2e-6 + 100 * 8e-6)
        refused = httpx.post(url + path, json=body, headers=headers(alice))
    assert refused.status_code == 403
    assert "is over its budget 0.001usd/month: $0.0008 of $0.0010 used" in error_of("openai_chat", refused)[1]


def test_a_model_without_a_price_is_refused_to_a_money_budget(fakes: FakeUpstreams) -> None:
    alice = LocalKey("alice", limits=(Limit("budget", "cost", 5, Period.fixed("month")),))
    path, body = ask("anthropic", "claude-sonnet-4-6")
    with keyed(fakes, alice) as url:
        refused = httpx.post(url + path, json=body, headers=headers(alice))
    assert refused.status_code == 403
    message = error_of("anthropic", refused)[1]
    assert "model 'claude-sonnet-4-6' has no price" in message
    assert '[prices."claude-sonnet-4-6"] input = 2.5, output = 10' in message
    priced = {"claude-sonnet-4-6": {"input": 3.0, "output": 15.0}}
    with keyed(fakes, alice, prices=priced) as url:
        assert httpx.post(url + path, json=body, headers=headers(alice)).status_code == 200


def test_200_concurrent_requests_against_a_budget_that_fits_50(
    fakes: FakeUpstreams, dragoman_home: Path
) -> None:
    one = reserved("openai_chat")
    budget = Limit("tokens", "tokens", 50 * one, DAY)
    alice = LocalKey("alice", limits=(budget,))
    # Every answer waits, so that all 200 are in flight before any settles, and costs
    # all it reserved (its prompt as estimated, its whole max output): the worst case
    # the reservations cover.
    whole = Usage(input=one - 100, output=100)
    fakes.openai_chat.script(
        *(Reply(text="Paris", usage=whole, delay_before_first_byte=3.0) for _ in range(200))
    )
    path, body = ask("openai_chat")

    async def burst(url: str) -> list[int]:
        async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=200)) as client:
            answers = await asyncio.gather(
                *(client.post(url + path, json=body, headers=headers(alice)) for _ in range(200))
            )
        return [answer.status_code for answer in answers]

    with keyed(fakes, alice) as url:
        statuses = asyncio.run(burst(url))
        settled = spent(dragoman_home, alice, budget)
    assert (statuses.count(200), statuses.count(403)) == (50, 150)
    assert len(fakes.openai_chat.requests) == 50
    assert settled == 50 * one == budget.amount  # filled, not passed: within one reservation


def test_an_upstream_error_releases_and_restart_keeps_spend(
    fakes: FakeUpstreams, dragoman_home: Path
) -> None:
    budget = Limit("tokens", "tokens", 10_000, DAY)
    requests = Limit("requests", "requests", 2, DAY)
    alice = LocalKey("alice", limits=(budget, requests))
    fakes.openai_chat.script(Reply(error=Failure(400, "bad request")))
    path, body = ask("openai_chat")
    with keyed(fakes, alice) as url:
        assert httpx.post(url + path, json=body, headers=headers(alice)).status_code == 400
        assert (spent(dragoman_home, alice, budget), spent(dragoman_home, alice, requests)) == (0, 0)
        assert httpx.post(url + path, json=body, headers=headers(alice)).status_code == 200
    with keyed(fakes, alice) as url:  # the same home: a restart
        assert (spent(dragoman_home, alice, budget), spent(dragoman_home, alice, requests)) == (15, 1)
        assert httpx.post(url + path, json=body, headers=headers(alice)).status_code == 200
        assert httpx.post(url + path, json=body, headers=headers(alice)).status_code == 403


def test_a_client_leaving_mid_stream_settles_what_was_billed(
    fakes: FakeUpstreams, dragoman_home: Path
) -> None:
    budget = Limit("tokens", "tokens", 100_000, DAY)
    alice = LocalKey("alice", limits=(budget,))
    slow = Reply(text="word " * 50, chunks=50, chunk_delay=0.2, usage=Usage(input=40, output=300))
    fakes.anthropic.script(slow)
    path, body = ask("anthropic", "claude-sonnet-4-6", max_tokens=4000, stream=True)
    with keyed(fakes, alice) as url:
        with httpx.stream("POST", url + path, json=body, headers=headers(alice)) as answer:
            assert answer.status_code == 200
            next(answer.iter_bytes())  # the answer has begun: then the client leaves
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and spent(dragoman_home, alice, budget) > 1000:
            time.sleep(0.05)
        settled = spent(dragoman_home, alice, budget)
    # Not the 4000+ reserved, not nothing: the prompt Anthropic reported as it began.
    assert 40 <= settled < 300


def test_a_client_leaving_before_the_answer_is_charged_its_prompt(
    fakes: FakeUpstreams, dragoman_home: Path
) -> None:
    budget = Limit("tokens", "tokens", 100_000, DAY)
    alice = LocalKey("alice", limits=(budget,))
    fakes.openai_chat.script(Reply(text="late", delay_before_first_byte=3.0))
    path, body = ask("openai_chat")
    with keyed(fakes, alice) as url:
        with pytest.raises(httpx.ReadTimeout):
            httpx.post(url + path, json=body, headers=headers(alice), timeout=1.0)
        prompt = reserved("openai_chat") - 100
        eventually(lambda: spent(dragoman_home, alice, budget) == prompt, timeout=10)


def test_max_output_tokens_clamps_and_max_concurrent_refuses(fakes: FakeUpstreams) -> None:
    alice = LocalKey("alice", max_output_tokens=64, max_concurrent=1)
    fakes.openai_chat.script(Reply(text="slow", delay_before_first_byte=1.5), Reply(text="Paris"))
    path, body = ask("openai_chat", max_tokens=4096)

    async def both(url: str) -> list[httpx.Response]:
        async with httpx.AsyncClient(timeout=30) as client:
            first = asyncio.create_task(client.post(url + path, json=body, headers=headers(alice)))
            await asyncio.sleep(0.5)
            second = await client.post(url + path, json=body, headers=headers(alice))
            return [await first, second]

    with keyed(fakes, alice) as url:
        first, second = asyncio.run(both(url))
        _, without = ask("openai_chat", max_tokens=None)
        assert httpx.post(url + path, json=without, headers=headers(alice)).status_code == 200
    assert (first.status_code, second.status_code) == (200, 429)
    assert second.headers["retry-after"] == "1"
    assert (
        "key 'alice' already has 1 requests in flight, its max_concurrent 1"
        in error_of("openai_chat", second)[1]
    )
    assert [request.json["max_completion_tokens"] for request in fakes.openai_chat.requests] == [64, 64]


def test_fail_closed_refuses_keys_with_limits_while_the_ledger_fails(
    fakes: FakeUpstreams, dragoman_home: Path
) -> None:
    alice = LocalKey("alice", limits=(Limit("requests", "requests", 100, DAY),))
    admin = "sk-admin-fail-closed-0123456789"
    settings = {"limits": {"fail_closed": True}, "api_keys": [admin]}
    path, body = ask("anthropic", "gpt-4.1")
    with keyed(fakes, alice, **settings) as url:
        assert httpx.post(url + path, json=body, headers=headers(alice)).status_code == 200
        eventually(lambda: traced(dragoman_home))  # the database made and written by the gateway
        with sqlite3.connect(dragoman_home / "dragoman.db", isolation_level=None) as other:
            other.execute("BEGIN EXCLUSIVE")  # another writer holds it past the busy timeout
            refused = eventually(lambda: _refused(url + path, body, alice))
            other.execute("ROLLBACK")
        admitted = httpx.post(url + path, json=body, headers={"x-api-key": admin})
        eventually(lambda: httpx.post(url + path, json=body, headers=headers(alice)).status_code == 200)
    kind, message = error_of("anthropic", refused)
    assert kind == "overloaded_error"
    assert "key 'alice' has limits, and dragoman cannot write its usage ledger now" in message
    assert admitted.status_code == 200  # an admin key has no limits to record


def traced(home: Path) -> bool:
    """Some trace is stored. Read-only: opening a file not made yet must not make it
    (the writer's first write can take over a second on a loaded machine)."""
    try:
        with sqlite3.connect(f"file:{home / 'dragoman.db'}?mode=ro", uri=True) as database:
            return bool(database.execute("SELECT count(*) FROM traces").fetchone()[0])
    except sqlite3.Error:
        return False


def _refused(url: str, body: Any, key: LocalKey) -> httpx.Response | None:
    answer = httpx.post(url, json=body, headers=headers(key))
    return answer if answer.status_code == 503 else None


def test_two_gateways_on_one_home_share_a_key_limits(fakes: FakeUpstreams, dragoman_home: Path) -> None:
    """What `serve --workers` relies on: each process reserves against one shared count."""
    requests = Limit("requests", "requests", 10, DAY)
    alice = LocalKey("alice", limits=(requests,))
    path, body = ask("openai_chat")

    async def burst(urls: list[str]) -> list[int]:
        async with httpx.AsyncClient(timeout=30) as client:
            answers = await asyncio.gather(
                *(client.post(urls[n % 2] + path, json=body, headers=headers(alice)) for n in range(30))
            )
        return [answer.status_code for answer in answers]

    with keyed(fakes, alice) as first, keyed(fakes, alice) as second:
        statuses = asyncio.run(burst([first, second]))
    assert (statuses.count(200), statuses.count(403)) == (10, 20)


def test_pass_through_is_refused_to_a_key_with_limits(fakes: FakeUpstreams) -> None:
    alice = LocalKey("alice", limits=(Limit("requests", "requests", 100, DAY),))
    bob = LocalKey("bob")
    body = ask("openai_chat")[1]
    with keyed(fakes, alice, bob) as url:
        refused = httpx.post(url + "/up_openai_chat/chat/completions", json=body, headers=headers(alice))
        passed = httpx.post(url + "/up_openai_chat/chat/completions", json=body, headers=headers(bob))
    assert refused.status_code == 403
    assert "key 'alice' has limits, and pass-through forwards requests without reading" in refused.text
    assert passed.status_code == 200


async def test_the_timing_script_measures_both_keys(tmp_path: Path) -> None:
    from tests.server.limits_timings import per_request

    results = await per_request(tmp_path, 20, ["alice", "admin"])
    assert set(results) == {"alice", "admin"} and all(value > 0 for value in results.values())

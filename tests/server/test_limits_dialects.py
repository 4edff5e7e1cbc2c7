"""Every refusal a key's limits make, in each client dialect: the status, the dialect's
own error shape, and a message naming the key and the limit (`policy.refusals`,
`server.limits`). The rate and budget refusals of each dialect are in `test_limits`;
here the others: `max_concurrent`, a request that can never fit, a model without a price,
an expired key, `fail_closed` while the ledger fails, and `[admin_limits]`, which hold
the config's admin keys to limits only when given."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from dragoman.policy.keys import Limit, LocalKey
from dragoman.state import Period
from tests.cli.test_serve_workers import eventually
from tests.fakes import Reply
from tests.fakes.fixtures import FakeUpstreams
from tests.server.test_limits import DIALECTS, ask, error_of, headers, keyed, traced

DAY = Period.fixed("day")
# The error type each status is in each dialect: (Gemini's status, the others' type).
KINDS = {
    401: ("UNAUTHENTICATED", "authentication_error"),
    403: ("PERMISSION_DENIED", "permission_error"),
    429: ("RESOURCE_EXHAUSTED", "rate_limit_error"),
}


def refused_in(dialect: str, answer: httpx.Response, status: int) -> str:
    """The message of a refusal with `status` in `dialect`'s own shape."""
    assert answer.status_code == status, answer.text
    body = answer.json()
    if dialect == "anthropic":
        assert body["type"] == "error"
    if dialect == "gemini":
        assert body["error"]["code"] == status
    kind, message = error_of(dialect, answer)
    if status in KINDS:
        assert kind == KINDS[status][0 if dialect == "gemini" else 1]
    return message


def post(url: str, dialect: str, key: LocalKey, model: str = "gpt-4.1", **extra: Any) -> httpx.Response:
    path, body = ask(dialect, model, **extra)
    return httpx.post(url + path, json=body, headers=headers(key), timeout=30)


def test_max_concurrent_is_a_429_with_retry_after_in_each_dialect(fakes: FakeUpstreams) -> None:
    alice = LocalKey("alice", max_concurrent=1)
    fakes.openai_chat.script(Reply(text="slow", delay_before_first_byte=3.0))

    async def beside_a_slow_one(url: str) -> list[httpx.Response]:
        async with httpx.AsyncClient(timeout=30) as client:
            path, body = ask("openai_chat")
            slow = asyncio.create_task(client.post(url + path, json=body, headers=headers(alice)))
            await asyncio.sleep(1.0)
            refused = [await asyncio.to_thread(post, url, dialect, alice) for dialect in DIALECTS]
            assert (await slow).status_code == 200
            return refused

    with keyed(fakes, alice) as url:
        refusals = asyncio.run(beside_a_slow_one(url))
        after = post(url, "gemini", alice)  # the slot given back as the slow one ended
    for dialect, refused in zip(DIALECTS, refusals, strict=True):
        message = refused_in(dialect, refused, 429)
        assert refused.headers["retry-after"] == "1"
        assert "key 'alice' already has 1 requests in flight, its max_concurrent 1" in message
    assert after.status_code == 200


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_request_that_can_never_fit_is_a_403_saying_so_in_each_dialect(
    fakes: FakeUpstreams, dialect: str
) -> None:
    alice = LocalKey("alice", limits=(Limit("tokens", "tokens", 50, DAY),))
    with keyed(fakes, alice) as url:
        refused = post(url, dialect, alice, max_tokens=100)
    message = refused_in(dialect, refused, 403)
    assert "key 'alice': this request alone needs" in message
    assert "more than its tokens 50/day allows; it can never pass" in message
    assert sum(len(fake.requests) for fake in fakes) == 0


@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_model_without_a_price_is_a_403_naming_the_config_in_each_dialect(
    fakes: FakeUpstreams, dialect: str
) -> None:
    alice = LocalKey("alice", limits=(Limit("budget", "cost", 5, Period.fixed("month")),))
    with keyed(fakes, alice) as url:
        refused = post(url, dialect, alice, model="claude-sonnet-4-6")
    message = refused_in(dialect, refused, 403)
    assert "key 'alice' has a budget in money, and model 'claude-sonnet-4-6' has no price" in message
    assert '[prices."claude-sonnet-4-6"]' in message
    assert len(fakes.anthropic.requests) == 0


@pytest.mark.parametrize("dialect", DIALECTS)
def test_an_expired_key_is_a_401_saying_when_in_each_dialect(fakes: FakeUpstreams, dialect: str) -> None:
    alice = LocalKey("alice", expires=time.time() + 1.5)
    with keyed(fakes, alice) as url:
        assert post(url, dialect, alice).status_code == 200
        time.sleep(1.6)
        refused = post(url, dialect, alice)
    message = refused_in(dialect, refused, 401)
    assert message.startswith("key alice expired at ") and message.endswith("Z")
    assert sum(len(fake.requests) for fake in fakes) == 1


def test_fail_closed_is_a_503_in_each_dialect(fakes: FakeUpstreams, dragoman_home: Path) -> None:
    alice = LocalKey("alice", limits=(Limit("requests", "requests", 100, DAY),))
    with keyed(fakes, alice, limits={"fail_closed": True}) as url:
        assert post(url, "openai_chat", alice).status_code == 200
        eventually(lambda: traced(dragoman_home))  # the database made and written by the gateway
        with sqlite3.connect(dragoman_home / "dragoman.db", isolation_level=None) as other:
            other.execute("BEGIN EXCLUSIVE")  # another writer holds it past the busy timeout
            eventually(lambda: post(url, "openai_chat", alice).status_code == 503)
            refusals = {dialect: post(url, dialect, alice) for dialect in DIALECTS}
            other.execute("ROLLBACK")
    for dialect, refused in refusals.items():
        message = refused_in(dialect, refused, 503)
        assert "key 'alice' has limits, and dragoman cannot write its usage ledger now" in message


ADMIN = "sk-admin-limits-5b81e0c7d2a4"


def test_admin_keys_have_no_limits_unless_admin_limits_gives_them(fakes: FakeUpstreams) -> None:
    admin = {"authorization": f"Bearer {ADMIN}"}
    path, body = ask("openai_chat")
    with keyed(fakes, api_keys=[ADMIN]) as url:
        free = [httpx.post(url + path, json=body, headers=admin).status_code for _ in range(3)]
    with keyed(fakes, api_keys=[ADMIN], admin_limits={"requests": "2/day"}) as url:
        held = [httpx.post(url + path, json=body, headers=admin).status_code for _ in range(3)]
        refused = httpx.post(url + path, json=body, headers=admin)
        still_admin = httpx.get(url + "/v1/admin/keys", headers=admin)
    assert free == [200, 200, 200]
    assert held == [200, 200, 403]
    assert (
        "key 'key1' is over its requests 2/day: 2 requests of 2 requests used"
        in error_of("openai_chat", refused)[1]
    )
    assert still_admin.status_code == 200  # limited, but still an admin key


def test_a_refusal_is_traced_and_counted_under_its_key(fakes: FakeUpstreams) -> None:
    alice = LocalKey("alice", limits=(Limit("requests", "requests", 1, DAY),))
    with keyed(fakes, alice) as url:  # named keys only: the admin routes stay open to loopback
        assert [post(url, "openai_chat", alice).status_code for _ in range(2)] == [200, 403]
        traces = eventually(lambda: _traces(url, "alice", 2))
        usage = eventually(lambda: _usage(url, "alice"))
    assert [trace["status"] for trace in traces] == [403, 200]
    assert usage["requests"] == 2


def _traces(url: str, key: str, count: int) -> list[dict[str, Any]] | None:
    answer = httpx.get(url + "/v1/traces", params={"key": key})
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()["traces"]
    return found if len(found) == count else None


def _usage(url: str, key: str) -> dict[str, Any] | None:
    rows = httpx.get(url + "/v1/usage", params={"group_by": "key", "key": key}).json()["usage"]
    return rows[0] if rows and rows[0]["requests"] == 2 else None

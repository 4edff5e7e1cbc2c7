"""A key's money budget served by a subscription (login) account: nothing is billed per
token there, so its tokens are counted at the model's API list price, as an estimate
(`server.limits`): the budget holds whichever account serves."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from dragoman.policy.keys import Limit, LocalKey, digest
from dragoman.state import Period
from tests.cli.test_serve_workers import eventually
from tests.fakes import Reply, Usage
from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import APPS, serve_gateway
from tests.server.test_limits import headers, secret, spent
from tests.subscriptions import Subscription, store_login, subscription

MODEL = "gpt-5.5"  # $5 in, $30 out per million tokens at API prices


@pytest.fixture
def codex() -> Iterator[Subscription]:
    with subscription("codex") as sub:
        yield sub


def test_a_subscription_answer_counts_at_list_price_against_a_money_budget(
    codex: Subscription, fakes: FakeUpstreams, dragoman_home: Path
) -> None:
    budget = Limit("budget", "cost", 0.036, Period.fixed("month"))  # one answer, not two
    alice = LocalKey("alice", limits=(budget,))
    store_login(dragoman_home, codex)
    codex.backend.script(Reply(text="Paris", usage=Usage(input=1000, output=1000)))
    body = {
        "model": MODEL,
        "messages": [{"role": "user", "content": "Capital of France?"}],
        "max_tokens": 100,
    }
    with serve_gateway(fakes, providers={}, oauth=codex.settings()) as url:
        APPS[url].state.key_ring.replace([(digest(secret(alice)), alice)])
        first = httpx.post(url + "/v1/chat/completions", json=body, headers=headers(alice), timeout=30)
        assert first.status_code == 200, first.text
        assert spent(dragoman_home, alice, budget) == pytest.approx(1000 * 5e-6 + 1000 * 30e-6)
        refused = httpx.post(url + "/v1/chat/completions", json=body, headers=headers(alice), timeout=30)
        traced = eventually(lambda: httpx.get(url + "/v1/traces", params={"key": "alice"}).json()["traces"])
    assert traced[-1]["cost"] == pytest.approx(0.035) and traced[-1]["cost_estimate"] is True
    assert (
        refused.status_code == 403
        and "is over its budget 0.036usd/month: $0.0350 of $0.0360 used" in refused.text
    )
    assert len(codex.backend.requests) == 1

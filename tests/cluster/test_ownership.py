"""Continuation ownership across replicas: two API-key accounts on a Responses upstream
that stores what it answers (as OpenAI does), in a round-robin pool. A response stored
by one account can only be continued there, whichever replica takes the continuation."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from dragoman.store.accounts import Account
from tests.cluster.topology import Cluster, Replica
from tests.fakes.openai_responses import OpenAIResponsesFake

MODEL = "m"


@pytest.fixture(scope="module")
def upstream() -> Iterator[OpenAIResponsesFake]:
    fake = OpenAIResponsesFake(models=[MODEL])
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture(scope="module")
def accounts() -> list[Account]:
    return []  # the two accounts are config.toml's


@pytest.fixture(scope="module")
def cluster_toml(upstream: OpenAIResponsesFake) -> str:
    tables = ['[pools]\nstrategy = "round-robin"\n']
    for name in ("alice", "bob"):
        tables.append(
            f'[providers.{name}]\nkind = "openai_compatible"\ndialect = "openai_responses"\n'
            f'base_url = "{upstream.base_url}"\napi_key = "{upstream.key}"\nmodels = ["{MODEL}"]\n'
            f'headers = {{ "x-account" = "{name}" }}\n'
        )
    return "\n".join(tables)


def _respond(replica: Replica, text: str, previous: str | None = None) -> httpx.Response:
    body: dict[str, object] = {"model": MODEL, "input": text}
    if previous is not None:
        body["previous_response_id"] = previous
    return httpx.post(f"{replica.root}/v1/responses", json=body, timeout=30)


def test_a_continuation_goes_to_the_account_that_stored_its_answer_from_any_replica(
    cluster: Cluster, upstream: OpenAIResponsesFake
) -> None:
    first, second, third = cluster.replicas
    assert _respond(first, "a conversation of its own").status_code == 200
    stored = _respond(first, "the conversation continued below")  # round-robin: the second account
    assert stored.status_code == 200, stored.text
    owner = upstream.requests[-1].header("x-account")
    assert owner == "bob"
    previous = stored.json()["id"]
    for replica in (second, third, first):  # each of these would start its round at alice
        answer = _respond(replica, "and on", previous)
        assert answer.status_code == 200, answer.text
        asked = upstream.requests[-1]
        assert (asked.header("x-account"), asked.json["previous_response_id"]) == (owner, previous)
        previous = answer.json()["id"]

"""What replicas share beyond one account: two logins in a round-robin pool, so a
replica choosing alone would spread a conversation's turns over both."""

from __future__ import annotations

import time
from collections.abc import Mapping

import httpx
import pytest

from dragoman.store.accounts import Account
from tests.cluster.conftest import store_login
from tests.cluster.probes import until, usage_limit
from tests.cluster.topology import Cluster, Replica
from tests.fakes.oauth import User
from tests.subscriptions import Subscription

MODEL = "gpt-5.5"
ALICE = User(email="alice@example.com", account_id="acct-alice")
BOB = User(email="bob@example.com", account_id="acct-bob")


@pytest.fixture(scope="module")
def accounts(postgres: str, codex: Subscription, tmp_path_factory: pytest.TempPathFactory) -> list[Account]:
    seeding = tmp_path_factory.mktemp("seeding")
    return [store_login(postgres, codex, user, seeding, expired=False) for user in (ALICE, BOB)]


@pytest.fixture(scope="module")
def cluster_toml() -> str:
    return '[pools]\nstrategy = "round-robin"\n'


def _turn(replica: Replica, codex: Subscription, session: str) -> str:
    """One chat turn of `session` sent to `replica`: the account the upstream was asked with."""
    body = {"model": MODEL, "messages": [{"role": "user", "content": f"turn of {session}"}]}
    headers = {"x-session-id": session}
    answer = httpx.post(f"{replica.root}/v1/chat/completions", json=body, headers=headers, timeout=30)
    assert answer.status_code == 200, answer.text
    asked = codex.backend.requests[-1]
    assert f"turn of {session}" in asked.body.decode()
    return str(asked.header("chatgpt-account-id"))


def test_a_sessions_turns_stay_on_its_account_whichever_replica_takes_them(
    cluster: Cluster, codex: Subscription
) -> None:
    sessions = [f"cluster-session-{n}" for n in range(6)]
    first, second, third = cluster.replicas
    bound = {session: _turn(first, codex, session) for session in sessions}
    # Round-robin alternated them: A, B, A, B, A, B.
    assert [bound[session] for session in sessions] == ["acct-alice", "acct-bob"] * 3, bound
    time.sleep(0.1)  # the bound: a binding learned by one replica is used within 100 ms
    # Evens first, then odds: a replica choosing alone would alternate again and move
    # half of them, whatever its cursor.
    reordered = sessions[0::2] + sessions[1::2]
    for replica in (second, third):
        assert {session: _turn(replica, codex, session) for session in reordered} == bound


def test_a_continuation_made_on_one_replica_goes_on_through_the_others(
    cluster: Cluster, codex: Subscription
) -> None:
    """Codex stores nothing: each replica replays the chain another replica stored in
    PostgreSQL (written before its client got the answer's last byte)."""
    previous = None
    for number, replica in enumerate(cluster.replicas):
        body: dict[str, object] = {"model": MODEL, "input": f"fact number {number}", "store": True}
        if previous is not None:
            body["previous_response_id"] = previous
        answer = httpx.post(f"{replica.root}/v1/responses", json=body, timeout=30)
        assert answer.status_code == 200, answer.text
        previous = answer.json()["id"]
        asked = codex.backend.requests[-1].body.decode()
        assert all(f"fact number {earlier}" in asked for earlier in range(number + 1)), asked
    for replica in cluster.replicas:  # the last one is found from every replica
        found = httpx.get(f"{replica.root}/v1/responses/{previous}", timeout=10)
        assert found.status_code == 200 and found.json()["id"] == previous


def test_the_admin_routes_agree_whichever_replica_answers(cluster: Cluster, codex: Subscription) -> None:
    """A cooldown, a reset, a policy change and the trace list, each made or learned on
    one replica and seen alike on every one."""
    codex.backend.script(usage_limit(600))
    cooled = _post(cluster.replicas[0], "/v1/chat/completions", {"model": MODEL, "messages": _hi()})
    assert cooled.status_code == 200  # the other account served it
    label = _cooling_label(cluster.replicas[0])
    assert label is not None
    for replica in cluster.replicas:
        until(lambda replica=replica: _cooling_label(replica) == label)
    assert _post(cluster.replicas[1], f"/v1/admin/accounts/{label}/reset", {}).status_code == 200
    for replica in cluster.replicas:
        until(lambda replica=replica: _cooling_label(replica) is None)
    disabled = _post(cluster.replicas[2], f"/v1/admin/accounts/{label}/disable", {})
    assert disabled.status_code == 200, disabled.text
    for replica in cluster.replicas:
        until(lambda replica=replica: _enabled(replica, label) is False)
    assert _post(cluster.replicas[0], f"/v1/admin/accounts/{label}/enable", {}).status_code == 200
    until(lambda: all(_enabled(replica, label) for replica in cluster.replicas))
    sent = {f"cluster-listed-{number}" for number in range(len(cluster.replicas))}
    for request_id, replica in zip(sorted(sent), cluster.replicas, strict=True):
        headers = {"x-request-id": request_id}
        body = {"model": MODEL, "messages": _hi()}
        assert _post(replica, "/v1/chat/completions", body, headers).status_code == 200
    for replica in cluster.replicas:
        until(lambda replica=replica: sent <= _trace_ids(replica))


def _hi() -> list[dict[str, str]]:
    return [{"role": "user", "content": "hi"}]


def _post(
    replica: Replica, path: str, body: Mapping[str, object], headers: dict[str, str] | None = None
) -> httpx.Response:
    return httpx.post(f"{replica.root}{path}", json=body, headers=headers, timeout=30)


def _accounts(replica: Replica) -> list[dict[str, object]]:
    answer = httpx.get(f"{replica.root}/v1/admin/accounts", timeout=10)
    assert answer.status_code == 200, answer.text
    return list(answer.json()["accounts"])


def _cooling_label(replica: Replica) -> str | None:
    cooling = [a["label"] for a in _accounts(replica) if a["state"]["status"] == "cooling"]  # type: ignore[index]
    assert len(cooling) <= 1, cooling
    return str(cooling[0]) if cooling else None


def _enabled(replica: Replica, label: str) -> bool:
    (account,) = [a for a in _accounts(replica) if a["label"] == label]
    return bool(account["policy"]["enabled"])  # type: ignore[index]


def _trace_ids(replica: Replica) -> set[str]:
    answer = httpx.get(f"{replica.root}/v1/traces", params={"limit": 50}, timeout=10)
    assert answer.status_code == 200, answer.text
    return {trace["id"] for trace in answer.json()["traces"]}

"""Two gateways sharing one home (two `serve` processes, or two workers): a key made,
revoked or changed through one is served by the other within seconds, by the one that
took the call at once."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

from dragoman.routing.refresher import ACCOUNT_POLL_SECONDS
from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import serve_gateway
from tests.secret_scan.registry import register

ADMIN_KEY = "two-gateways-admin-3f9a"
ADMIN = {"authorization": f"Bearer {ADMIN_KEY}"}
# The poll's period, and time for the read itself on a busy machine.
WITHIN = ACCOUNT_POLL_SECONDS + 1.5


def status_of(url: str, secret: str) -> int:
    return httpx.get(
        url + "/v1/models", headers={"authorization": f"Bearer {secret}"}, timeout=10
    ).status_code


def seconds_until(condition: Callable[[], bool], limit: float) -> float:
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < limit, "not seen in time"
        time.sleep(0.05)
    return time.monotonic() - started


def test_a_key_made_and_revoked_in_one_gateway_reaches_the_other(fakes: FakeUpstreams) -> None:
    with (
        serve_gateway(fakes, api_keys=[ADMIN_KEY]) as one,
        serve_gateway(fakes, api_keys=[ADMIN_KEY]) as other,
    ):
        made = httpx.post(one + "/v1/admin/keys", json={"name": "alice"}, headers=ADMIN, timeout=10)
        assert made.status_code == 201, made.text
        secret = made.json()["secret"]
        register(secret, "local key alice")
        assert status_of(one, secret) == 200  # at once where it was made
        seconds_until(lambda: status_of(other, secret) == 200, WITHIN)

        listed = httpx.get(other + "/v1/admin/keys/alice", headers=ADMIN, timeout=10)
        assert listed.json()["state"] == "active" and "secret" not in listed.json()

        assert httpx.delete(one + "/v1/admin/keys/alice", headers=ADMIN, timeout=10).status_code == 200
        assert status_of(one, secret) == 401
        seconds_until(lambda: status_of(other, secret) == 401, WITHIN)


def test_a_change_of_models_reaches_the_other_gateway(fakes: FakeUpstreams) -> None:
    with (
        serve_gateway(fakes, api_keys=[ADMIN_KEY]) as one,
        serve_gateway(fakes, api_keys=[ADMIN_KEY]) as other,
    ):
        made = httpx.post(one + "/v1/admin/keys", json={"name": "bob"}, headers=ADMIN, timeout=10)
        secret = made.json()["secret"]
        register(secret, "local key bob")
        seconds_until(lambda: status_of(other, secret) == 200, WITHIN)
        changed = httpx.patch(
            one + "/v1/admin/keys/bob", json={"models": ["nothing-*"]}, headers=ADMIN, timeout=10
        )
        assert changed.status_code == 200, changed.text

        def listed(url: str) -> list[str]:
            answer = httpx.get(url + "/v1/models", headers={"authorization": f"Bearer {secret}"}, timeout=10)
            return [model["id"] for model in answer.json()["data"]]

        assert listed(one) == []
        seconds_until(lambda: listed(other) == [], WITHIN)

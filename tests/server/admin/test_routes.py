"""The admin API end to end: a real dragoman in front of a fake upstream serving a pool
of accounts (each sends its name in `x-account`), steered through the JSON routes."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx

from dragoman.observe.redact import mask
from tests.fakes import Failure, Reply
from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import serve_gateway
from tests.server.test_pooling import pool, reached

LOCAL_KEY = "local-admin-key-4f1c9a"
AUTH = {"authorization": f"Bearer {LOCAL_KEY}"}


def chat(url: str) -> httpx.Response:
    """A new conversation each time: none is bound to the account that served the last."""
    body = {"model": "m", "messages": [{"role": "user", "content": f"hi {uuid.uuid4()}"}]}
    return httpx.post(url + "/v1/chat/completions", json=body, headers=AUTH, timeout=10)


def admin(url: str, method: str, path: str, **options: Any) -> httpx.Response:
    return httpx.request(method, f"{url}/v1/admin/accounts{path}", headers=AUTH, timeout=10, **options)


def serve_pool(fakes: FakeUpstreams, count: int = 2, **extra: Any) -> Any:
    providers = pool(fakes.openai_chat, [f"acct-{n}" for n in range(count)], ["m"], **extra)
    return serve_gateway(fakes, providers=providers, api_keys=[LOCAL_KEY])


def test_every_account_is_listed_under_its_label(fakes: FakeUpstreams) -> None:
    with serve_pool(fakes, priority=3) as url:
        listed = admin(url, "GET", "")
        one = admin(url, "GET", "/acct-1")
    assert listed.status_code == 200
    accounts = listed.json()["accounts"]
    assert [account["label"] for account in accounts] == ["acct-0", "acct-1"]
    assert one.json() == accounts[1]
    assert one.json()["kind"] == "openai_compatible" and one.json()["auth"] == "key"
    assert one.json()["models"] == ["m"]
    assert one.json()["policy"] == {"priority": 3, "weight": 1.0, "max_concurrent": None, "enabled": True}
    assert one.json()["state"]["status"] == "ready" and one.json()["last_error"] is None
    assert fakes.openai_chat.key not in listed.text
    assert one.json()["key"] == mask(fakes.openai_chat.key)


def test_a_provider_left_out_for_its_missing_key_is_listed_with_why_and_steered(fakes: FakeUpstreams) -> None:
    providers = {
        **pool(fakes.openai_chat, ["acct-0"], ["m"]),
        "later": {"kind": "openai", "api_key_env": "UNSET_ADMIN_KEY"},
    }
    with serve_gateway(fakes, providers=providers, api_keys=[LOCAL_KEY]) as url:
        listed = admin(url, "GET", "")
        one = admin(url, "GET", "/later")
        disabled = admin(url, "POST", "/later/disable")
        changed = admin(url, "PATCH", "/later", json={"priority": 5})
        reset = admin(url, "POST", "/later/reset")
        assert chat(url).status_code == 200
    assert [account["label"] for account in listed.json()["accounts"]] == ["acct-0", "later"]
    later = one.json()
    assert later == listed.json()["accounts"][1]
    assert (later["kind"], later["key"], later["auth"]) == ("openai", "$UNSET_ADMIN_KEY", "key")
    assert later["state"] == {
        "status": "unusable",
        "until": None,
        "reason": "the variable UNSET_ADMIN_KEY is not set",
        "text": "unusable: the variable UNSET_ADMIN_KEY is not set",
    }
    assert disabled.status_code == 200 and disabled.json()["policy"]["enabled"] is False
    assert disabled.json()["state"]["text"] == "disabled; unusable: the variable UNSET_ADMIN_KEY is not set"
    assert changed.json()["policy"]["priority"] == 5 and reset.status_code == 200
    assert reached(fakes.openai_chat) == ["acct-0"]


def test_a_disabled_account_is_avoided_until_enabled(fakes: FakeUpstreams) -> None:
    with serve_pool(fakes) as url:
        assert chat(url).status_code == 200
        disabled = admin(url, "POST", "/acct-0/disable")
        assert chat(url).status_code == 200
        enabled = admin(url, "POST", "/acct-0/enable")
        assert chat(url).status_code == 200
    assert reached(fakes.openai_chat) == ["acct-0", "acct-1", "acct-0"]
    assert disabled.json()["state"]["status"] == "disabled"
    assert disabled.json()["policy"]["enabled"] is False and disabled.json()["overridden"] == ["enabled"]
    assert enabled.json()["state"]["status"] == "ready"


def test_a_priority_patched_changes_which_account_serves_and_survives_a_restart(
    fakes: FakeUpstreams,
) -> None:
    with serve_pool(fakes) as url:
        assert chat(url).status_code == 200
        patched = admin(url, "PATCH", "/acct-0", json={"priority": 2, "max_concurrent": 4})
        assert chat(url).status_code == 200
    with serve_pool(fakes) as url:  # a new dragoman on the same home
        assert chat(url).status_code == 200
        after = admin(url, "GET", "/acct-0").json()
    assert reached(fakes.openai_chat) == ["acct-0", "acct-1", "acct-1"]
    assert patched.status_code == 200
    assert patched.json()["policy"] == {"priority": 2, "weight": 1.0, "max_concurrent": 4, "enabled": True}
    assert after["policy"] == patched.json()["policy"]


def test_reset_clears_a_cooldown_learned_from_a_429(fakes: FakeUpstreams) -> None:
    fakes.openai_chat.script(Reply(error=Failure(429, "slow down", retry_after=3600)))
    with serve_pool(fakes, count=1) as url:
        refused = chat(url)
        cooling = admin(url, "GET", "/acct-0").json()
        reset = admin(url, "POST", "/acct-0/reset")
        served = chat(url)
    assert refused.status_code == 429 and served.status_code == 200
    assert cooling["state"]["status"] == "cooling"
    assert cooling["state"]["until"] >= time.time() + 3500
    assert [c["scope"] for c in cooling["cooldowns"]] == ["account"]
    assert cooling["last_error"]["status"] == 429 and "slow down" in cooling["last_error"]["message"]
    assert reset.json()["state"]["status"] == "ready" and reset.json()["cooldowns"] == []
    assert reset.json()["last_error"]["status"] == 429  # history, kept
    assert reached(fakes.openai_chat) == ["acct-0", "acct-0"]


def test_bound_sessions_are_counted_and_never_shown_as_sent(fakes: FakeUpstreams) -> None:
    body = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
    session = "my-secret-conversation-id"
    with serve_pool(fakes) as url:
        headers = {**AUTH, "x-session-id": session}
        assert httpx.post(url + "/v1/chat/completions", json=body, headers=headers).status_code == 200
        listed = admin(url, "GET", "/acct-0")
        reset = admin(url, "POST", "/acct-0/reset")
    sessions = listed.json()["sessions"]
    assert sessions["count"] == 1 and len(sessions["keys"]) == 1
    assert session not in listed.text
    assert reset.json()["sessions"] == {"count": 0, "keys": []}


def test_without_the_local_key_every_admin_route_is_refused(fakes: FakeUpstreams) -> None:
    with serve_pool(fakes) as url:
        answers = [
            httpx.get(url + "/v1/admin/accounts"),
            httpx.get(url + "/v1/admin/accounts/acct-0", headers={"authorization": "Bearer wrong"}),
            httpx.patch(url + "/v1/admin/accounts/acct-0", json={"priority": 2}),
            httpx.post(url + "/v1/admin/accounts/acct-0/disable"),
        ]
        still = admin(url, "GET", "/acct-0").json()
    assert [answer.status_code for answer in answers] == [401, 401, 401, 401]
    assert all("error" in answer.json() for answer in answers)
    assert still["policy"]["priority"] == 1 and still["policy"]["enabled"] is True


def test_bad_changes_are_refused_with_clear_json(fakes: FakeUpstreams) -> None:
    with serve_pool(fakes) as url:
        unknown = admin(url, "GET", "/nobody")
        not_json = admin(url, "PATCH", "/acct-0", content=b"{priority")
        empty = admin(url, "PATCH", "/acct-0", json={})
        extra = admin(url, "PATCH", "/acct-0", json={"priority": 2, "colour": "red"})
        wrong = admin(url, "PATCH", "/acct-0", json={"weight": 0, "max_concurrent": "3"})
        action = admin(url, "POST", "/acct-0/explode")
        nobody = admin(url, "PATCH", "/nobody", json={"priority": 2})
        after = admin(url, "GET", "/acct-0").json()
    assert unknown.status_code == 404 and "acct-0" in unknown.json()["error"]["message"]
    assert not_json.status_code == 400 and empty.status_code == 400
    assert extra.status_code == 422 and "colour: unknown field" in extra.json()["error"]["message"]
    assert wrong.status_code == 422
    assert (
        "weight" in wrong.json()["error"]["message"] and "max_concurrent" in wrong.json()["error"]["message"]
    )
    assert action.status_code == 404 and "error" in action.json()
    assert nobody.status_code == 404
    assert after["policy"]["priority"] == 1 and after["overridden"] == []

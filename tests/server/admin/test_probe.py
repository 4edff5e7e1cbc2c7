"""`POST /v1/admin/accounts/{label}/test` end to end: the account's upstream answers a
real request (the fake), the outcome says how; a failing upstream is an answer with
`ok: false`, never the key."""

from __future__ import annotations

import httpx

from tests.fakes import Failure, Reply
from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import serve_gateway
from tests.server.test_pooling import pool, reached

LOCAL_KEY = "local-probe-key-51c0"
AUTH = {"authorization": f"Bearer {LOCAL_KEY}"}


def probe(url: str, label: str, headers: dict[str, str] = AUTH) -> httpx.Response:
    return httpx.post(f"{url}/v1/admin/accounts/{label}/test", headers=headers, timeout=10)


def test_an_account_is_tested_with_one_small_request_to_its_upstream(fakes: FakeUpstreams) -> None:
    providers = pool(fakes.openai_chat, ["acct-0", "acct-1"], ["m"])
    fakes.openai_chat.script(Reply(text="OK"))
    with serve_gateway(fakes, providers=providers, api_keys=[LOCAL_KEY]) as url:
        answer = probe(url, "acct-1")
    assert answer.status_code == 200
    outcome = answer.json()
    assert (outcome["ok"], outcome["status"], outcome["reply"]) == (True, 200, "OK")
    assert (outcome["provider"], outcome["model"], outcome["error"]) == ("acct-1", "m", None)
    assert outcome["latency_ms"] > 0
    assert reached(fakes.openai_chat) == ["acct-1"]


def test_a_failing_upstream_is_an_answer_saying_why(fakes: FakeUpstreams) -> None:
    providers = pool(fakes.openai_chat, ["acct-0"], ["m"])
    fakes.openai_chat.script(Reply(error=Failure(401, "bad upstream key")))
    with serve_gateway(fakes, providers=providers, api_keys=[LOCAL_KEY]) as url:
        answer = probe(url, "acct-0")
        unknown = probe(url, "nobody")
        unauthenticated = probe(url, "acct-0", headers={})
    outcome = answer.json()
    assert answer.status_code == 200 and outcome["ok"] is False and outcome["status"] == 401
    assert "bad upstream key" in outcome["error"]
    assert fakes.openai_chat.key not in answer.text
    assert unknown.status_code == 404 and "nobody" in unknown.json()["error"]["message"]
    assert unauthenticated.status_code == 401

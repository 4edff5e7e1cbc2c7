"""A key's periods end to end: a rolling rate frees up when its refusal said, to the
second; calendar periods are the config's `time_zone`'s, and a rolling quota is a budget
(403) with its reset (`state.tally`, `policy.quantities`, `policy.refusals`)."""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx

from dragoman.policy.keys import Limit, LocalKey
from dragoman.state import Period
from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import serve_gateway
from tests.secret_scan.registry import register
from tests.server.test_limits import ask, error_of, headers, keyed


def test_a_rolling_rate_frees_up_when_its_refusal_said_to_the_second(fakes: FakeUpstreams) -> None:
    alice = LocalKey("alice", limits=(Limit("requests", "requests", 2, Period.rolling(10)),))
    path, body = ask("openai_chat")

    def status() -> httpx.Response:
        return httpx.post(url + path, json=body, headers=headers(alice), timeout=10)

    with keyed(fakes, alice) as url:
        started = time.time()
        assert [status().status_code for _ in range(2)] == [200, 200]
        refused = status()
        free_at = started + int(refused.headers["retry-after"])
        time.sleep(max(0.0, free_at - 1.0 - time.time()))
        early = status()  # a second before: still full
        time.sleep(max(0.0, free_at + 0.3 - time.time()))
        on_time = status()
    assert refused.status_code == 429 and 9 <= int(refused.headers["retry-after"]) <= 11
    assert "key 'alice' reached its rate limit requests 2/10s" in error_of("openai_chat", refused)[1]
    assert (early.status_code, on_time.status_code) == (429, 200)


def test_a_day_is_the_config_time_zone_and_a_rolling_quota_a_403_with_its_reset(fakes: FakeUpstreams) -> None:
    path, body = ask("anthropic", "gpt-4.1")
    with serve_gateway(
        fakes, time_zone="Asia/Tokyo"
    ) as url:  # no admin key: the admin API is open to loopback
        secrets = {}
        for name, option in (("daily", "1/day"), ("rolling", "1/5h")):
            made = httpx.post(url + "/v1/admin/keys", json={"name": name, "requests": option}, timeout=10)
            assert made.status_code == 201, made.text
            secrets[name] = made.json()["secret"]
            register(secrets[name], f"local key {name}")
        answers = {
            name: [httpx.post(url + path, json=body, headers={"x-api-key": secret}) for _ in range(2)]
            for name, secret in secrets.items()
        }
    midnight = datetime.now(ZoneInfo("Asia/Tokyo")).date() + timedelta(days=1)
    for name, (first, second) in answers.items():
        assert (first.status_code, second.status_code) == (200, 403), name
        assert "retry-after" not in second.headers
    daily = error_of("anthropic", answers["daily"][1])[1]
    assert "key 'daily' is over its requests 1/day: 1 requests of 1 requests used" in daily
    assert f"it resets at {midnight.isoformat()} 00:00 JST (in " in daily
    rolling = error_of("anthropic", answers["rolling"][1])[1]
    assert "key 'rolling' is over its requests 1/5h" in rolling
    # A rolling window's buckets are a sixtieth of it: a request leaves it 4h 55m to 5h on.
    assert re.search(r"it resets at \d{4}-\d\d-\d\d \d\d:\d\d JST \(in (4h 5\dm|5h)\)", rolling), rolling

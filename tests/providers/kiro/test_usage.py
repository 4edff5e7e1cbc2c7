"""Kiro's usage limits: read from its usage endpoint into windows, shown by `dragoman
status`, and kept for the pools while an account serves (its answers carry none)."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import orjson

from dragoman.providers.kiro.usage import plan, windows
from tests.cli.test_login import run
from tests.fakes.fixtures import FakeUpstreams
from tests.fakes.kiro import KiroFake, usage_answer
from tests.gateway import serve_gateway
from tests.providers.kiro.conftest import key_login, social_login, store
from tests.providers.kiro.test_login import _config

RESET = 1798761600.0


def test_the_credits_used_are_a_window_with_the_months_reset() -> None:
    answer = usage_answer(120.5)
    assert windows(answer) == [{"name": "credit", "used_percent": 12.05, "resets_at": RESET}]
    assert plan(answer) == "KIRO PRO"


def test_an_overage_account_past_its_limit_says_so_and_a_trial_is_its_own_window() -> None:
    answer = usage_answer(1000.0)
    answer["overageConfiguration"] = {"overageStatus": "ENABLED"}
    entry = answer["usageBreakdownList"][0]
    entry["freeTrialInfo"] = {
        "freeTrialStatus": "ACTIVE",
        "currentUsageWithPrecision": 5.0,
        "usageLimitWithPrecision": 50.0,
    }
    assert windows(answer) == [
        {"name": "credit", "used_percent": 100.0, "resets_at": RESET, "status": "overage"},
        {"name": "credit trial", "used_percent": 10.0},
    ]


def test_malformed_entries_are_not_windows() -> None:
    answer = {"usageBreakdownList": [{"resourceType": "CREDIT", "usageLimitWithPrecision": 0}, "x", {}]}
    assert windows(answer) == [] and plan({}) is None


def test_status_shows_the_credits_used(kiro: KiroFake, dragoman_home: Path) -> None:
    _config(dragoman_home, kiro)
    store(dragoman_home, social_login(kiro))
    kiro.credits_used = 250.0
    result = run("status", "--json")
    assert result.exit_code == 0, result.output
    [row] = orjson.loads(result.output)
    assert row["usage"] == [{"name": "credit", "used_percent": 25.0, "resets_at": RESET}]
    assert row["risk"] and "Kiro" in row["risk"]


def test_status_reads_an_api_keys_usage_without_a_profile(kiro: KiroFake, dragoman_home: Path) -> None:
    _config(dragoman_home, kiro)
    store(dragoman_home, key_login(kiro))
    [row] = orjson.loads(run("status", "--json").output)
    assert row["usage"][0]["used_percent"] == 12.05


def test_a_serving_account_has_its_usage_window_in_the_pool(
    kiro: KiroFake, dragoman_home: Path, fakes: FakeUpstreams
) -> None:
    account = store(dragoman_home, social_login(kiro))
    kiro.credits_used = 990.0
    with serve_gateway(fakes, providers={}, oauth=kiro.settings()) as url:
        body = {"model": "claude-sonnet-4.5", "messages": [{"role": "user", "content": "Hi"}]}
        assert httpx.post(f"{url}/v1/chat/completions", json=body, timeout=30).status_code == 200
        seen = _windows(url, account.label)
    assert seen == [{"name": "credit", "used_percent": 99.0}]


def _windows(url: str, label: str) -> list[dict[str, object]]:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        rows = httpx.get(f"{url}/v1/admin/accounts", timeout=10).json()
        rows = rows["accounts"]
        [row] = [row for row in rows if row["label"] == label]
        if row["windows"]:
            return [{key: window[key] for key in ("name", "used_percent")} for window in row["windows"]]
        time.sleep(0.05)
    return []


def test_a_keys_plan_is_learnt_at_its_first_request_and_shown_by_status(
    kiro: KiroFake, dragoman_home: Path, fakes: FakeUpstreams
) -> None:
    """`accounts add --api-key` asks Kiro nothing: the plan, which only the usage answer
    names, is read once before the account's first request, and kept."""
    _config(dragoman_home, kiro)
    store(dragoman_home, key_login(kiro))
    assert orjson.loads(run("status", "--json").output)[0]["plan"] is None
    with serve_gateway(fakes, providers={}, oauth=kiro.settings()) as url:
        body = {"model": "claude-sonnet-4.5", "messages": [{"role": "user", "content": "Hi"}]}
        assert httpx.post(f"{url}/v1/chat/completions", json=body, timeout=30).status_code == 200
    [row] = orjson.loads(run("status", "--json").output)
    assert row["plan"] == "KIRO PRO"
    table = run("status").output
    assert "KIRO PRO" in table

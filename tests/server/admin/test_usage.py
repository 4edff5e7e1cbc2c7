"""`/v1/usage` end to end: requests through a real dragoman, their usage read back
grouped as asked, from the ledger."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from tests.fakes import Failure, Reply
from tests.fakes.fixtures import FakeUpstreams
from tests.fakes.script import Usage
from tests.gateway import serve_gateway
from tests.server.admin.test_traces import ask_chat


def usage(url: str, **params: Any) -> list[dict[str, Any]]:
    answer = httpx.get(url + "/v1/usage", params=params, timeout=10)
    assert answer.status_code == 200, answer.text
    return list(answer.json()["usage"])


def test_usage_is_grouped_by_what_is_asked(fakes: FakeUpstreams) -> None:
    fakes.openai_chat.script(
        Reply(text="a", usage=Usage(input=100, output=10, cached=40)),
        Reply(text="b", usage=Usage(input=50, output=5, reasoning=2)),
        Reply(error=Failure(400, "no")),
    )
    fakes.openai_responses.script(Reply(text="c", usage=Usage(input=7, output=3)))
    with serve_gateway(fakes) as url:
        for model in ("gpt-4.1", "gpt-4.1", "gpt-4.1", "gpt-5"):
            ask_chat(url, model=model)
        by_model = usage(url, group_by="model", since="7d")
        by_account_and_day = usage(url, group_by="account,day")
        one_account = usage(url, group_by="model", account="up_openai_responses")
        nothing = usage(url, group_by="model", until="2d")
    gpt41, gpt5 = by_model
    assert gpt41.pop("cost") > gpt5["cost"] > 0  # the failed request has no usage, so no cost
    assert gpt41 == {
        "model": "gpt-4.1", "requests": 3, "errors": 1, "input_uncached": 110, "cache_read": 40,
        "cache_write": 0, "output": 15, "reasoning": 2, "unpriced": 0, "baseline_cost": None,
        "compared_cost": None,
    }  # fmt: skip
    assert (gpt5["model"], gpt5["requests"], gpt5["output"]) == ("gpt-5", 1, 3)
    assert {row["account"] for row in by_account_and_day} == {"up_openai_chat", "up_openai_responses"}
    assert all(set(row) >= {"account", "day"} and "model" not in row for row in by_account_and_day)
    assert [row["model"] for row in one_account] == ["gpt-5"]
    assert nothing == []


def test_usage_by_route_names_the_rule_that_chose(fakes: FakeUpstreams) -> None:
    fakes.openai_chat.script(*(Reply(text="a", usage=Usage(input=100, output=10)) for _ in range(2)))
    rule = {"name": "to-41", "match": {"model": "gpt-5"}, "set": {"model": "gpt-4.1"}}
    with serve_gateway(fakes, routing={"rules": [rule]}) as url:
        ask_chat(url, model="gpt-5")
        ask_chat(url, model="gpt-4.1")
        by_route = {row["route"]: row for row in usage(url, group_by="route")}
    assert set(by_route) == {"", "rule to-41"}
    routed = by_route["rule to-41"]
    assert routed["requests"] == 1 and routed["compared_cost"] == by_route[""]["cost"]
    assert abs(routed["baseline_cost"] - (100 * 1.25e-6 + 10 * 10e-6)) < 1e-12  # at gpt-5's prices


@pytest.mark.parametrize("since", ["1e308", "nan", "-inf"])
def test_a_time_past_any_calendar_is_a_400(make_client: Callable[..., TestClient], since: str) -> None:
    """Found by fuzzing: a 500 from the day of a time past year 9999."""
    answer = make_client().get("/v1/usage", params={"since": since})
    assert answer.status_code == 400, answer.text
    assert "since: a time between the years 1 and 9999" in answer.json()["error"]["message"]

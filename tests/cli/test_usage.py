"""`dragoman usage` as a user runs it: a table per day and account, model or key."""

from __future__ import annotations

import httpx
import orjson
from click.testing import CliRunner

from dragoman.cli import cli
from tests.cli.test_traces import dragoman
from tests.fakes import Reply
from tests.fakes.fixtures import FakeUpstreams
from tests.fakes.script import Usage
from tests.gateway import serve_gateway
from tests.secret_scan.registry import register
from tests.server.admin.test_traces import ask_chat


def test_usage_by_account_and_by_model(fakes: FakeUpstreams) -> None:
    fakes.openai_chat.script(Reply(text="a", usage=Usage(input=1200, output=34)))
    with serve_gateway(fakes) as url:
        ask_chat(url)
        ask_chat(url, model="gpt-5")
        table = dragoman("usage", "--url", url, "--since", "1d").output
        by_model = orjson.loads(dragoman("usage", "--by", "model", "--url", url, "--json").output)
    assert "up_openai_chat" in table and "1,200" in table and "up_openai_responses" in table
    assert sorted(row["model"] for row in by_model) == ["gpt-4.1", "gpt-5"]


def test_usage_with_no_history_says_so() -> None:
    result = dragoman("usage", "--url", "http://127.0.0.1:9")
    assert "No usage recorded yet." in result.output


def test_a_bad_since_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["usage", "--since", "last tuesday"])
    assert result.exit_code == 2 and "--since" in result.output


def test_savings_compare_routed_requests_with_their_baselines(fakes: FakeUpstreams) -> None:
    fakes.gemini.script(*(Reply(text="a", usage=Usage(input=1000, output=100)) for _ in range(3)))
    tiers = {"simple": "gemini-2.5-flash", "medium": "gpt-4.1", "complex": "gpt-4.1", "reasoning": "gpt-5"}
    rule = {"name": "gpt5-to-flash", "match": {"model": "gpt-5"}, "set": {"model": "gemini-2.5-flash"}}
    with serve_gateway(fakes, auto={"tiers": tiers}, routing={"rules": [rule]}) as url:
        ask_chat(url, model="auto")
        ask_chat(url, model="auto")
        ask_chat(url, model="gpt-5")
        ask_chat(url, model="gpt-4.1")  # not routed: not counted
        dragoman("traces", "purge", "--all", "--url", url)  # the ledger keeps what savings need
        rows = orjson.loads(dragoman("usage", "--savings", "--url", url, "--json").output)
        table = dragoman("usage", "--savings", "--url", url).output
    offline = orjson.loads(dragoman("usage", "--savings", "--url", "http://127.0.0.1:9", "--json").output)
    assert offline == rows
    flash, gpt5 = 1000 * 0.3e-6 + 100 * 2.5e-6, 1000 * 1.25e-6 + 100 * 10e-6
    by_route = {row["route"]: row for row in rows}
    assert set(by_route) == {"auto simple", "rule gpt5-to-flash"}
    auto = by_route["auto simple"]
    assert auto["requests"] == 2 and auto["unpriced"] == 0
    assert abs(auto["cost"] - 2 * flash) < 1e-12 and abs(auto["saved"] - 2 * (gpt5 - flash)) < 1e-12
    assert abs(by_route["rule gpt5-to-flash"]["baseline_cost"] - gpt5) < 1e-12
    assert "auto simple" in table and "rule gpt5-to-flash" in table


def test_savings_with_nothing_routed_say_so() -> None:
    result = dragoman("usage", "--savings", "--url", "http://127.0.0.1:9")
    assert "No routed request since then" in result.output


def test_usage_by_key_names_the_named_keys(fakes: FakeUpstreams) -> None:
    with serve_gateway(fakes) as url:  # no admin key: the admin API is open to loopback
        made = httpx.post(url + "/v1/admin/keys", json={"name": "alice"}, timeout=10).json()
        register(made["secret"], "local key alice")
        assert ask_chat(url, authorization=f"Bearer {made['secret']}").status_code == 200
        rows = orjson.loads(dragoman("usage", "--by", "key", "--url", url, "--json").output)
        table = dragoman("usage", "--by", "key", "--url", url).output
    assert [row["key"] for row in rows] == ["alice"]
    assert "alice" in table and made["secret"] not in table

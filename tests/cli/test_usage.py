"""`dragoman usage` as a user runs it: a table per day and account, model or key."""

from __future__ import annotations

import orjson
from click.testing import CliRunner

from dragoman.cli import cli
from tests.cli.test_traces import dragoman
from tests.fakes import Reply
from tests.fakes.fixtures import FakeUpstreams
from tests.fakes.script import Usage
from tests.gateway import serve_gateway
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

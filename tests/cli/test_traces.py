"""`dragoman traces` as a user runs it: against the running gateway, and with none
running on the database the gateway left."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
from click.testing import CliRunner, Result

from dragoman.cli import cli
from tests.fakes import Failure, Reply
from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import serve_gateway
from tests.server.admin.test_traces import ask_chat

SOURCE = str(Path(__file__).resolve().parents[2] / "src")


def dragoman(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result


def test_show_and_export_ask_the_running_gateway_then_the_database(
    fakes: FakeUpstreams, tmp_path: Path
) -> None:
    fakes.openai_chat.script(Reply(text="one"), Reply(error=Failure(429, "slow down")))
    with serve_gateway(fakes) as url:
        first = ask_chat(url).headers["x-request-id"]
        second = ask_chat(url).headers["x-request-id"]
        online = orjson.loads(dragoman("traces", "show", first, "--url", url, "--json").output)
        shown = dragoman("traces", "show", second, "--url", url).output
        exported = dragoman("traces", "export", "--jsonl", "--url", url).output
    assert online["id"] == first and online["status"] == 200
    assert "429" in shown and "up_openai_chat" in shown
    assert [orjson.loads(line)["id"] for line in exported.splitlines()] == [second, first]
    # The gateway has stopped: the same answers, from its database.
    dead = "http://127.0.0.1:9"
    offline = orjson.loads(dragoman("traces", "show", first, "--url", dead, "--json").output)
    assert offline == online
    dragoman("traces", "export", "--jsonl", "-o", str(tmp_path / "t.jsonl"), "--url", dead)
    assert [orjson.loads(line)["id"] for line in (tmp_path / "t.jsonl").read_text().splitlines()] == [
        second,
        first,
    ]


def test_purge_online_and_offline_keeps_the_usage(fakes: FakeUpstreams) -> None:
    with serve_gateway(fakes) as url:
        ask_chat(url)
        ask_chat(url)
        assert "purged 0 traces" in dragoman("traces", "purge", "--older-than", "1h", "--url", url).output
        assert "purged 2 traces" in dragoman("traces", "purge", "--all", "--url", url).output
        ask_chat(url)
    dead = "http://127.0.0.1:9"
    assert orjson.loads(dragoman("traces", "purge", "--all", "--url", dead, "--json").output) == {"purged": 1}
    rows = orjson.loads(dragoman("usage", "--by", "model", "--url", dead, "--json").output)
    assert [(row["model"], row["requests"]) for row in rows] == [("gpt-4.1", 3)]


def test_purge_needs_an_age_or_all() -> None:
    result = CliRunner().invoke(cli, ["traces", "purge"])
    assert result.exit_code == 2 and "--older-than AGE" in result.output


def test_show_says_when_there_is_no_such_trace(fakes: FakeUpstreams) -> None:
    with serve_gateway(fakes) as url:
        result = CliRunner().invoke(cli, ["traces", "show", "nope", "--url", url])
    assert result.exit_code == 1 and "404: no trace 'nope'" in result.output
    offline = CliRunner().invoke(cli, ["traces", "show", "nope", "--url", "http://127.0.0.1:9"])
    assert offline.exit_code == 1 and "no trace 'nope'" in offline.output


def test_tail_prints_each_request_as_it_ends(fakes: FakeUpstreams, dragoman_home: Path) -> None:
    with serve_gateway(fakes) as url:
        tail = subprocess.Popen(
            [sys.executable, "-m", "dragoman", "traces", "tail", "--url", url],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONPATH": SOURCE, "COLUMNS": "200"},
        )  # fmt: skip
        try:
            assert tail.stderr is not None
            # Said once the stream's headers came: the subscription is made before them.
            assert tail.stderr.readline().startswith("following")
            ids = [ask_chat(url).headers["x-request-id"] for _ in range(2)]
            time.sleep(0.5)
        finally:
            tail.send_signal(signal.SIGINT)
            output, errors = tail.communicate(timeout=10)
    lines = output.splitlines()
    assert len(lines) == 2, (output, errors)
    for line, trace_id in zip(lines, ids, strict=True):
        assert "gpt-4.1 -> up_openai_chat/gpt-4.1  200" in line and trace_id in line


def test_tail_needs_a_running_gateway() -> None:
    result = CliRunner().invoke(cli, ["traces", "tail", "--url", "http://127.0.0.1:9"])
    assert result.exit_code == 1 and "no dragoman is serving at http://127.0.0.1:9" in result.output


def test_show_says_how_a_request_was_routed(fakes: FakeUpstreams) -> None:
    tiers = {"simple": "gpt-4.1", "medium": "gpt-4.1", "complex": "gpt-4.1", "reasoning": "gpt-4.1"}
    with serve_gateway(fakes, auto={"tiers": tiers}) as url:
        asked = ask_chat(url, model="auto")
        shown = dragoman("traces", "show", asked.headers["x-request-id"], "--url", url).output
    assert "routed: auto -> gpt-4.1   tier=simple; reason=score 0" in shown

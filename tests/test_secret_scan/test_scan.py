"""The leak scan catches what it is for: a planted secret in each channel fails the run,
named by test and place, never shown; and it changes nothing the tests observe."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from dragoman.cli import cli
from dragoman.config import load
from dragoman.server.app import build_gateway, create_app
from tests.secret_scan import http
from tests.secret_scan.harvest import harvest, harvest_argv, harvest_environ
from tests.secret_scan.logs import configured_floors
from tests.secret_scan.record import RECORDER, Seen
from tests.secret_scan.registry import forget, known
from tests.secret_scan.scan import CONTEXT, Scanner

ROOT = Path(__file__).resolve().parents[2]
PLANTED = "planted-secret-0123456789"


def scanner(**secrets: str) -> Scanner:
    scan = Scanner()
    scan.update(1, {value: origin for origin, value in secrets.items()})
    return scan


def test_a_secret_is_found_once_per_place_and_never_shown() -> None:
    scan = scanner(planted=PLANTED, other="other-secret-987654321")
    seen = [
        Seen("cli", f"your key: {PLANTED}, again {PLANTED}, and other-secret-987654321"),
        Seen("log x", "nothing here"),
        Seen("http GET / 200", f'{{"key":"{PLANTED}"}}'),
    ]
    leaks = scan.leaks("t::x", seen)
    assert [(leak.channel, leak.origin) for leak in leaks] == [
        ("cli", "planted"),
        ("cli", "other"),
        ("http GET / 200", "planted"),
    ]
    assert all(PLANTED not in str(leak) and "other-secret" not in str(leak) for leak in leaks)
    assert leaks[0].snippet == "your key: <planted>, again <planted>, and <other>"


def test_a_secret_at_the_edge_of_the_snippet_is_not_cut_in_half() -> None:
    text = PLANTED + "x" * (CONTEXT - 5) + " leak: " + PLANTED
    [leak] = scanner(planted=PLANTED).leaks("t", [Seen("cli", text)])
    assert "planted-" not in leak.snippet and "0123456789" not in leak.snippet


def test_nothing_registered_finds_nothing() -> None:
    assert Scanner().leaks("t", [Seen("cli", PLANTED)]) == []


def test_harvest_reads_secrets_by_name_and_from_urls() -> None:
    before = set(known()[1])
    settings = {
        "api_keys": ["harvest-local-key-1"],
        "proxy": "http://me:harvest-proxy-pass@proxy.test:3128",
        "providers": {
            "up": {
                "api_key": "harvest-upstream-key",
                "api_key_env": "HARVEST_NOT_A_SECRET",
                "headers": {"Authorization": "Bearer harvest-header-token", "x-tag": "harvest-public-tag"},
                "base_url": "http://up.test/v1?key=harvest-query-key",
            }
        },
        "max_tokens": "harvest-not-a-token",
    }
    harvest(settings, "settings")
    harvest_environ({"OPENAI_API_KEY": "harvest-env-key", "HOME": "/harvest/home/dir"}, "env")
    harvest_argv(["dragoman", "serve", "--api-key", "harvest-flag-key"], "argv")
    added = set(known()[1]) - before
    for value in added:
        forget(value)
    assert added == {
        "harvest-local-key-1",
        "harvest-proxy-pass",
        "harvest-upstream-key",
        "harvest-header-token",
        "harvest-query-key",
        "harvest-env-key",
        "harvest-flag-key",
    }


def test_a_debug_record_reaches_the_scan_but_not_caplog(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Records name their caller only while logging looks for it (`configure` turns that off).
    monkeypatch.setattr(logging, "_srcfile", os.path.normcase(logging.addLevelName.__code__.co_filename))
    quiet = logging.getLogger("tests.secret_scan.quiet")
    assert quiet.getEffectiveLevel() > logging.DEBUG  # so caplog never gets its debug records
    quiet.debug("planted %s", "debug-only-words")
    quiet.warning("a warning for everyone")
    assert [record.getMessage() for record in caplog.records] == ["a warning for everyone"]
    assert caplog.records[0].pathname == __file__  # the caller, as without the scan
    _, seen = RECORDER.take()
    lines = [item.text for item in seen if item.channel.startswith("log tests.secret_scan.quiet")]
    assert len(lines) == 2 and "planted debug-only-words" in lines[0]


def test_the_levels_are_those_configure_sets_and_configure_leaves_no_trace() -> None:
    access = logging.getLogger("uvicorn.access")
    before = (
        list(logging.root.handlers),
        logging.root.level,
        access.disabled,
        logging.getLogger("httpx").level,
    )
    floors = configured_floors()
    assert floors["httpx"] == logging.WARNING and floors["uvicorn.access"] > logging.CRITICAL
    after = (
        list(logging.root.handlers),
        logging.root.level,
        access.disabled,
        logging.getLogger("httpx").level,
    )
    assert after == before


def test_a_dragoman_app_s_answers_and_a_command_s_output_are_recorded() -> None:
    app = create_app(build_gateway(load(), environ={}))
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
    assert CliRunner().invoke(cli, ["config", "path"]).exit_code == 0
    _, seen = RECORDER.take()
    channels = [item.channel for item in seen]
    assert "http GET /healthz 200" in channels
    assert any(channel.startswith("cli dragoman config path") for channel in channels)


PLANTED_TESTS = f'''
import logging

import click
from click.testing import CliRunner
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from tests.secret_scan.registry import register

register("{PLANTED}", "the planted secret")


def test_logs_it_at_debug():
    logging.getLogger("planted").debug("the key is %s", "{PLANTED}")


def test_prints_it():
    CliRunner().invoke(click.Command("show", callback=lambda: click.echo("{PLANTED}")))


def test_answers_it():
    async def home(request):
        return PlainTextResponse("key={PLANTED}")

    app = Starlette(routes=[Route("/", home)])
    app.state.gateway = object()  # what marks a dragoman app
    with TestClient(app) as client:
        client.get("/")


def test_keeps_it():
    logging.getLogger("planted").debug("nothing to see")
'''


def test_a_session_with_planted_leaks_fails_naming_each(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), str(ROOT / "src")]))
    pytester.makepyfile(test_planted=PLANTED_TESTS)
    result = pytester.runpytest_subprocess("-p", "tests.secret_scan.plugin", "-p", "no:cacheprovider")
    output = result.stdout.str()
    assert result.ret == 1, output
    result.assert_outcomes(passed=4)
    assert "secret scan: 3 leak(s), the run fails" in output
    for name in ("test_logs_it_at_debug", "test_prints_it", "test_answers_it"):
        assert f"test_planted.py::{name}\n" in output
    assert "test_keeps_it\n" not in output
    assert "<the planted secret>" in output and PLANTED not in output


def test_a_port_is_watched_only_while_the_dragoman_process_that_bound_it_runs() -> None:
    """Once a `serve` process has ended, its port may go to a fake OAuth server whose
    answers hold the tokens it issues on purpose: those are not dragoman's answers."""
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    http.SERVE_PORTS[1] = process
    try:
        assert http._served_by_dragoman(1)
        process.kill()
        process.wait()
        assert not http._served_by_dragoman(1)
        http.SERVE_PORTS[1] = None  # a `serve` run in-process is watched for the whole run
        assert http._served_by_dragoman(1)
    finally:
        del http.SERVE_PORTS[1]
        process.kill()
        process.wait()


def test_a_port_a_cli_runner_command_bound_is_not_watched_once_it_returned() -> None:
    """A command run in-process with `--bind` has ended when CliRunner returns: its port
    may then go to a fake upstream, whose answers are not dragoman's (a fake Copilot's
    token once counted as a leak so)."""
    result = CliRunner().invoke(cli, ["serve", "--bind", "127.0.0.1:1", "--help"])
    assert result.exit_code == 0
    assert 1 not in http.SERVE_PORTS

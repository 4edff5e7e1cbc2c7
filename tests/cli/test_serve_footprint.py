"""What `dragoman serve` loads. A gateway configured in config.toml alone, or whose
database holds no account, never imports SQLAlchemy or its SQLite driver (~22 MiB), nor
httpx (~7 MiB): a third of its memory. The first account added while it serves loads them.
So does the first trace to keep in the database (`[traces] database`, on by default)
when the database must first be made or migrated: these gateways keep theirs in memory
only, one that makes the database loads the database code after its first request, not
before, and one whose database is ready writes its traces with Python's sqlite3 alone."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import httpx
from click.testing import CliRunner

from dragoman.cli import cli
from tests.cli.test_serve import free_port, wait_healthy
from tests.fakes import Reply
from tests.fakes.fixtures import FakeUpstreams

HEAVY = ("aiosqlite", "httpx", "sqlalchemy")

# `dragoman serve` itself, telling on exit which of HEAVY it imported.
SERVE = textwrap.dedent(
    f"""
    import atexit, runpy, sys

    def report():
        loaded = sorted(set({HEAVY!r}) & {{name.partition(".")[0] for name in sys.modules}})
        print("LOADED:" + ",".join(loaded), file=sys.stderr, flush=True)

    atexit.register(report)
    runpy.run_module("dragoman", run_name="__main__", alter_sys=True)
    """
)


@contextmanager
def serving(home: Path) -> Iterator[tuple[str, list[str]]]:
    """A running serve's URL, and once the block ends (SIGTERM), what it loaded."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", SERVE, "serve", "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "DRAGOMAN_HOME": str(home)},
    )
    loaded: list[str] = []
    try:
        url = f"http://127.0.0.1:{port}"
        wait_healthy(url, process)
        yield url, loaded
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=20)
        assert process.returncode == 0, stderr
        [line] = [line for line in stderr.splitlines() if line.startswith("LOADED:")]
        loaded += [name for name in line.removeprefix("LOADED:").split(",") if name]
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


def configure(home: Path, fakes: FakeUpstreams) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(
        '[providers.up]\nkind = "openai_compatible"\ndialect = "openai_chat"\n'
        f'base_url = "{fakes.openai_chat.base_url}"\napi_key = "{fakes.openai_chat.key}"\n'
        'models = ["gpt-4.1"]\n'
        "[traces]\ndatabase = false\n"
    )


def ask(url: str, model: str) -> str:
    body = {"model": model, "messages": [{"role": "user", "content": "hi"}]}
    answer = httpx.post(url + "/v1/chat/completions", json=body, timeout=10)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["choices"][0]["message"]["content"])


def accounts(*args: str) -> None:
    result = CliRunner().invoke(cli, ["accounts", *args])
    assert result.exit_code == 0, result.output


def test_a_configured_gateway_loads_no_database_code(dragoman_home: Path, fakes: FakeUpstreams) -> None:
    fakes.openai_chat.script(Reply(text="served"))
    configure(dragoman_home, fakes)
    with serving(dragoman_home) as (url, loaded):
        assert ask(url, "gpt-4.1") == "served"
    assert loaded == []
    assert not (dragoman_home / "dragoman.db").exists()


def test_traces_kept_in_the_database_load_its_code_after_the_first_request(
    dragoman_home: Path, fakes: FakeUpstreams
) -> None:
    fakes.openai_chat.script(Reply(text="served"))
    configure(dragoman_home, fakes)
    config = dragoman_home / "config.toml"
    config.write_text(config.read_text().replace("database = false", "database = true"))
    with serving(dragoman_home) as (url, loaded):
        assert ask(url, "gpt-4.1") == "served"
        deadline = time.monotonic() + 5
        while not httpx.get(url + "/v1/traces", timeout=5).json()["traces"]:
            assert time.monotonic() < deadline, "the trace was not kept"
            time.sleep(0.1)
    assert {"sqlalchemy", "aiosqlite"} <= set(loaded)
    assert (dragoman_home / "dragoman.db").exists()


def test_traces_written_to_a_ready_database_load_no_database_code(
    dragoman_home: Path, fakes: FakeUpstreams
) -> None:
    fakes.openai_chat.script(Reply(text="served"), Reply(text="served again"))
    configure(dragoman_home, fakes)
    config = dragoman_home / "config.toml"
    config.write_text(config.read_text().replace("database = false", "database = true"))
    for answer in ("served", "served again"):  # the first serve makes the database
        with serving(dragoman_home) as (url, loaded):
            assert ask(url, "gpt-4.1") == answer
        with closing(sqlite3.connect(dragoman_home / "dragoman.db")) as database:
            kept = database.execute("SELECT count(*) FROM traces").fetchone()[0]
        assert kept == (1 if answer == "served" else 2)  # written before serve ended
    assert loaded == []


def test_a_database_without_accounts_is_not_opened(dragoman_home: Path, fakes: FakeUpstreams) -> None:
    fakes.openai_chat.script(Reply(text="served"))
    configure(dragoman_home, fakes)
    accounts("add", "--provider", "openai", "--label", "once", "--api-key", "sk-x")
    accounts("remove", "once")
    with serving(dragoman_home) as (url, loaded):
        assert ask(url, "gpt-4.1") == "served"
    assert loaded == []


def test_an_account_added_while_serving_is_read_through_the_database(
    dragoman_home: Path, fakes: FakeUpstreams
) -> None:
    fakes.openai_chat.script(Reply(text="from the account"))
    configure(dragoman_home, fakes)
    with serving(dragoman_home) as (url, loaded):
        accounts(
            "add", "--provider", "openai_compatible", "--label", "acct", "--model", "gpt-4o",
            "--base-url", fakes.openai_chat.base_url, "--api-key", fakes.openai_chat.key,
        )  # fmt: skip
        deadline = time.monotonic() + 5
        while "gpt-4o" not in httpx.get(url + "/v1/models").text:
            assert time.monotonic() < deadline, "the account was not picked up"
            time.sleep(0.1)
        assert ask(url, "acct/gpt-4o") == "from the account"
    assert {"sqlalchemy", "aiosqlite"} <= set(loaded), "the account is read through the database"

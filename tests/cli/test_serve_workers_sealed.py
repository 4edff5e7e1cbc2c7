"""Sealed credentials under `dragoman serve --workers 2`: the key file one worker makes
is the one the other reads, and a key rotated while they serve is followed by both.

The upstream (the fake Anthropic) answers only its own key, so a request that succeeds
was sent with a key the answering worker opened; which worker answered is read from the
access log."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.cli.test_serve import free_port, wait_healthy
from tests.cli.test_serve_workers import ANSWERED, CHAT, Served, children, eventually, gone
from tests.fakes.fixtures import FakeUpstreams


@pytest.fixture
def served(dragoman_home: Path, tmp_path: Path) -> Iterator[Served]:
    """`serve --workers 2` on a home with no account, no database and no key yet."""
    dragoman_home.mkdir(parents=True, exist_ok=True)
    (dragoman_home / "config.toml").write_text("detect_ollama = false\n")
    port, log = free_port(), tmp_path / "serve.log"
    argv = [sys.executable, "-m", "dragoman", "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"]
    with log.open("wb") as out:
        process = subprocess.Popen(
            argv, stdout=out, stderr=out, env={**os.environ, "DRAGOMAN_HOME": str(dragoman_home)}
        )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_healthy(url, process, timeout=60)
        yield Served(process, url, log)
    finally:
        leftovers = children(process.pid)
        process.kill()
        process.wait()
        for pid in leftovers:
            if not gone(pid):
                os.kill(pid, signal.SIGKILL)


def dragoman(served: Served, home: Path, *args: str) -> str:
    """A command as a user runs it beside the gateway."""
    port = served.url.rsplit(":", 1)[1]
    env = {**os.environ, "DRAGOMAN_HOME": str(home), "DRAGOMAN_BIND": f"127.0.0.1:{port}"}
    done = subprocess.run(
        [sys.executable, "-m", "dragoman", *args], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


ADDED = re.compile(r"^\S+ INFO +(\d+) \[\w+\] dragoman\.access: POST /v1/admin/accounts 201", re.M)


def add_through_a_worker(served: Served, fakes: FakeUpstreams, label: str, model: str) -> int:
    """The account added with the admin API: the worker that answers stores it; its pid."""
    new = {"provider": "anthropic", "label": label, "api_key": fakes.anthropic.key,
           "base_url": fakes.anthropic.base_url, "models": [model]}  # fmt: skip
    start = len(served.text())
    answer = httpx.post(served.url + "/v1/admin/accounts", json=new, timeout=30)
    assert answer.status_code == 201, answer.text
    # The access line is written as the answer goes: on a busy machine, after it arrived.
    [pid] = eventually(lambda: ADDED.findall(served.text()[start:]), timeout=10)
    return int(pid)


def add_beside(served: Served, home: Path, fakes: FakeUpstreams, label: str, model: str) -> None:
    """The account added by `dragoman accounts add`, which writes the database itself."""
    upstream = ["--base-url", fakes.anthropic.base_url, "--api-key", fakes.anthropic.key, "--model", model]
    dragoman(served, home, "accounts", "add", "--provider", "anthropic", "--label", label, *upstream)


def every_worker_serves(served: Served, model: str, workers: set[int]) -> None:
    """Requests for `model` answered 200 by both workers (each reads new accounts within ~2 s)."""

    def answered() -> bool:
        start = len(served.text())
        for _ in range(10):  # a new connection each time: the kernel picks a worker per connection
            response = httpx.post(
                served.url + "/v1/chat/completions", json={**CHAT, "model": model}, timeout=10
            )
            if response.status_code != 200:
                return False
        return {int(pid) for pid in ANSWERED.findall(served.text()[start:])} == workers

    eventually(answered, timeout=30)


def test_workers_share_the_key_file_one_of_them_made_and_follow_a_rotation(
    served: Served, dragoman_home: Path, fakes: FakeUpstreams
) -> None:
    workers = served.workers()
    key_file = dragoman_home / "secret.key"
    assert not key_file.exists()
    assert add_through_a_worker(served, fakes, "up", "claude-sonnet-4-6") in workers
    made = key_file.read_text()
    every_worker_serves(served, "claude-sonnet-4-6", workers)
    assert key_file.read_text() == made  # the other worker read it, never made its own
    assert all(fakes.anthropic.key.encode() not in f.read_bytes() for f in dragoman_home.glob("dragoman.db*"))

    rotated = dragoman(served, dragoman_home, "db", "rotate-key")
    assert "1 accounts sealed anew with key " in rotated and key_file.read_text() != made
    add_beside(served, dragoman_home, fakes, "up2", "claude-haiku-4-5")  # sealed with the new key
    every_worker_serves(served, "claude-haiku-4-5", workers)
    every_worker_serves(served, "claude-sonnet-4-6", workers)
    assert "Traceback" not in served.text()

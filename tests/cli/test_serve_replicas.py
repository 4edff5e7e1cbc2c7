"""Replicas: two `dragoman serve` processes, each with a home of its own (as on two
hosts), sharing their runtime state through one Redis (`redis_url`, under a prefix of
the test's own)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import orjson
import pytest

from dragoman.state.redis import SCAN_SECONDS
from tests.cli.test_serve import free_port, wait_healthy
from tests.cli.test_serve_workers import CHAT, two_accounts
from tests.fakes import Failure, Reply
from tests.fakes.fixtures import FakeUpstreams
from tests.state.conftest import REDIS_URL, redis_prefix

Replica = Callable[[str], str]  # name -> its URL, serving


@pytest.fixture
def prefix() -> Iterator[str]:
    with redis_prefix() as chosen:
        yield chosen


@pytest.fixture
def replica(fakes: FakeUpstreams, tmp_path: Path, prefix: str) -> Iterator[Replica]:
    """Start a replica named `name`: its own home and port, the shared Redis."""
    processes: list[subprocess.Popen[bytes]] = []

    def start(name: str) -> str:
        home, port = tmp_path / name, free_port()
        home.mkdir()
        shared = f'detect_ollama = false\nredis_url = "{REDIS_URL}"\nredis_prefix = "{prefix}"\n'
        (home / "config.toml").write_text(shared + two_accounts(fakes, preferred="a"))
        with (tmp_path / f"{name}.log").open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "dragoman", "serve", "--bind", f"127.0.0.1:{port}"],
                stdout=log,
                stderr=log,
                env={**os.environ, "DRAGOMAN_HOME": str(home)},
            )
        processes.append(process)
        url = f"http://127.0.0.1:{port}"
        wait_healthy(url, process, timeout=60)  # type: ignore[arg-type]
        return url

    yield start
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_a_cooldown_one_replica_learns_is_used_by_the_other_within_100_ms(
    replica: Replica, fakes: FakeUpstreams
) -> None:
    first, second = replica("first"), replica("second")
    fakes.anthropic.script(Reply(error=Failure(429, "slow down", retry_after=600)))
    failed_over = httpx.post(first + "/v1/chat/completions", json=CHAT, timeout=10)
    assert failed_over.status_code == 200, failed_over.text  # account a answered 429: b took it
    time.sleep(0.1)
    answers = [httpx.post(second + "/v1/chat/completions", json=CHAT, timeout=10) for _ in range(10)]
    assert all(answer.status_code == 200 for answer in answers)
    accounts = [request.header("x-account") for request in fakes.anthropic.requests]
    assert accounts == ["a", "b"] + ["b"] * 10  # the other replica never asked the cooling account


def test_the_live_trace_stream_of_one_replica_shows_the_others_requests(replica: Replica) -> None:
    first, second = replica("first"), replica("second")
    seen: list[str] = []
    with httpx.stream("GET", first + "/v1/traces/stream", timeout=30) as stream:
        time.sleep(SCAN_SECONDS * 3)  # the other replica finds a new listener when it next looks
        answers = [httpx.post(second + "/v1/chat/completions", json=CHAT, timeout=10) for _ in range(3)]
        assert [answer.status_code for answer in answers] == [200] * 3
        for line in stream.iter_lines():
            if line.startswith("data: "):
                seen.append(orjson.loads(line.removeprefix("data: "))["model"])
            if len(seen) == 3:
                break
    assert seen == ["claude-sonnet-4-6"] * 3

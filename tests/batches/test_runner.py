"""The batch runner in real `dragoman serve` processes: a batch of 100 interrupted by
kill -9 and finished by a new process on the same home, each request answered once."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import anthropic

from dragoman.batches.runner import INTERRUPTED, BatchRunner
from dragoman.config import load
from dragoman.routing.registry import Registry
from dragoman.server.gateway import Gateway
from tests.cli.test_serve import free_port, wait_healthy
from tests.cli.test_serve_workers import children, eventually, gone
from tests.fakes import Reply
from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import serve_gateway

MODEL = "claude-sonnet-4-6"
CONCURRENCY = 4


def write_config(home: Path, fakes: FakeUpstreams) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(
        f"[batches]\nconcurrency = {CONCURRENCY}\n\n"
        '[providers.up]\nkind = "anthropic"\n'
        f'base_url = "{fakes.anthropic.base_url}"\napi_key = "{fakes.anthropic.key}"\n'
        f'models = ["{MODEL}"]\n'
    )


@contextmanager
def serving(home: Path, log: Path, *more: str) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    port = free_port()
    argv = [sys.executable, "-m", "dragoman", "serve", "--bind", f"127.0.0.1:{port}", *more]
    with log.open("ab") as out:
        process = subprocess.Popen(
            argv,
            stdout=out,
            stderr=out,
            env={**os.environ, "DRAGOMAN_HOME": str(home)},
            start_new_session=True,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_healthy(url, process, timeout=60)  # type: ignore[arg-type]
        yield process, url
    finally:
        leftovers = children(process.pid)
        if process.poll() is None:
            process.kill()
        process.wait()
        for pid in leftovers:
            if not gone(pid):
                os.kill(pid, signal.SIGKILL)


def questions(count: int, first: int = 0) -> list[dict[str, object]]:
    return [
        {
            "custom_id": f"q{n}",
            "params": {
                "model": MODEL,
                "max_tokens": 16,
                "messages": [{"role": "user", "content": [{"type": "text", "text": f"question {n}"}]}],
            },
        }
        for n in range(first, first + count)
    ]


def said(body: object) -> str:
    """The question a request the fake received asked."""
    assert isinstance(body, dict)
    return str(body["messages"][0]["content"][0]["text"])


def test_a_batch_killed_mid_way_is_finished_by_the_next_process_each_request_once(
    dragoman_home: Path, fakes: FakeUpstreams, tmp_path: Path
) -> None:
    write_config(dragoman_home, fakes)
    fakes.anthropic.script(*[Reply(text="done", delay_before_first_byte=0.15)] * 120)
    items = questions(100)
    log = tmp_path / "serve.log"
    with serving(dragoman_home, log) as (process, url):
        sdk = anthropic.Anthropic(base_url=url, api_key="unused", max_retries=0)
        batch_id = sdk.messages.batches.create(requests=items).id
        eventually(lambda: len(fakes.anthropic.requests) >= 20)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    sent_before = len(fakes.anthropic.requests)
    assert sent_before < 100
    with serving(dragoman_home, log) as (_, url):
        sdk = anthropic.Anthropic(base_url=url, api_key="unused", max_retries=0)
        batch = eventually(lambda: _ended(sdk, batch_id), timeout=60)
        results = {line.custom_id: line.result for line in sdk.messages.batches.results(batch_id)}
    asked = Counter(said(request.json) for request in fakes.anthropic.requests)
    assert max(asked.values()) == 1  # never sent twice
    assert set(results) == {f"q{n}" for n in range(100)}
    interrupted = {custom_id for custom_id, result in results.items() if result.type == "errored"}
    for custom_id, result in results.items():
        if result.type == "succeeded":
            assert asked[f"question {custom_id[1:]}"] == 1
        else:
            assert result.type == "errored" and result.error.error.message == INTERRUPTED
    assert 0 < len(interrupted) <= CONCURRENCY
    assert batch.request_counts.succeeded == 100 - len(interrupted)
    assert fakes.anthropic.most_at_once <= CONCURRENCY
    assert "Traceback" not in log.read_text()


def _ended(sdk: anthropic.Anthropic, batch_id: str) -> anthropic.types.messages.MessageBatch | None:
    batch = sdk.messages.batches.retrieve(batch_id)
    return batch if batch.processing_status == "ended" else None


def test_a_claimer_is_gone_once_its_process_is_or_it_is_this_process_before_a_restart() -> None:
    settings = load()
    runner = BatchRunner(Gateway(settings=settings, registry=Registry([], settings.models)))
    host = socket.gethostname()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    assert not runner.claimer_gone(runner.owner)
    assert runner.claimer_gone(f"{host}:{dead.pid}:0123abcd")
    assert runner.claimer_gone(f"{host}:{os.getpid()}:0123abcd")  # this pid, an earlier life
    assert not runner.claimer_gone(f"{host}:{os.getppid()}:0123abcd")  # alive: its own to finish
    assert not runner.claimer_gone(f"elsewhere.example:{dead.pid}:0123abcd")  # another host's


def test_under_workers_each_batch_request_is_run_by_one_of_them(
    dragoman_home: Path, fakes: FakeUpstreams, tmp_path: Path
) -> None:
    write_config(dragoman_home, fakes)
    fakes.anthropic.script(*[Reply(text="done", delay_before_first_byte=0.05)] * 80)
    with serving(dragoman_home, tmp_path / "serve.log", "--workers", "2") as (process, url):
        eventually(lambda: len(children(process.pid)) == 2)
        made = []
        for number in range(8):  # a new connection each: the kernel picks a worker for each
            sdk = anthropic.Anthropic(base_url=url, api_key="unused", max_retries=0)
            made.append(sdk.messages.batches.create(requests=questions(10, 10 * number)).id)
        ended = [eventually(lambda batch_id=batch_id: _ended(sdk, batch_id), timeout=60) for batch_id in made]
    assert sum(batch.request_counts.succeeded for batch in ended) == 80
    asked = Counter(said(request.json) for request in fakes.anthropic.requests)
    assert len(asked) == 80 and max(asked.values()) == 1


def test_a_stop_errors_the_requests_still_answering_and_the_next_start_sends_the_rest(
    fakes: FakeUpstreams,
) -> None:
    fakes.anthropic.script(Reply(text="slow", delay_before_first_byte=3.0), *[Reply(text="done")] * 3)
    settings = {"batches": {"concurrency": 1}, "shutdown_grace_seconds": 0}
    with serve_gateway(fakes, **settings) as url:
        sdk = anthropic.Anthropic(base_url=url, api_key="unused", max_retries=0)
        batch_id = sdk.messages.batches.create(requests=questions(3)).id
        eventually(lambda: fakes.anthropic.requests)
    with serve_gateway(fakes, **settings) as url:
        sdk = anthropic.Anthropic(base_url=url, api_key="unused", max_retries=0)
        batch = eventually(lambda: _ended(sdk, batch_id), timeout=20)
        results = {line.custom_id: line.result for line in sdk.messages.batches.results(batch_id)}
    assert results["q0"].type == "errored" and results["q0"].error.error.message == INTERRUPTED
    assert {results["q1"].type, results["q2"].type} == {"succeeded"}
    assert batch.request_counts.errored == 1 and len(fakes.anthropic.requests) == 3

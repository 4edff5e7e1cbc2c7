"""Real processes on one home: each `Peer` is a `python -m tests.state.host.peer`
driven line by line, standing for one worker of `serve --workers N`."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]


class Peer:
    def __init__(self, home: Path) -> None:
        environment = {**os.environ, "PYTHONPATH": os.pathsep.join((str(ROOT / "src"), str(ROOT)))}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.state.host.peer", str(home)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=ROOT,
            env=environment,
        )
        self._buffer = b""

    def ready(self) -> int:
        pid: int = self.read(30.0)["ready"]
        return pid

    def send(self, op: str, **args: Any) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps({"op": op, "args": args}).encode() + b"\n")
        self.process.stdin.flush()

    def call(self, op: str, **args: Any) -> Any:
        self.send(op, **args)
        return self.read()

    def read(self, timeout: float = 20.0) -> Any:
        assert self.process.stdout is not None
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.process.stdout], [], [], left)[0]:
                raise TimeoutError(f"peer {self.process.pid} said nothing for {timeout:g} s")
            chunk = os.read(self.process.stdout.fileno(), 65536)
            if not chunk:
                raise EOFError(f"peer {self.process.pid} ended with {self.process.wait()}")
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return json.loads(line)

    def stop(self) -> None:
        self.send("stop")
        assert self.read() == "stopped"
        self.process.wait(10)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def close(self) -> None:
        if self.process.poll() is None:
            self.kill()
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                pipe.close()


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def peers(home: Path) -> Iterator[Callable[[int], list[Peer]]]:
    """Start N peers on `home` at once (they import in parallel), each ready."""
    started: list[Peer] = []

    def start(count: int) -> list[Peer]:
        batch = [Peer(home) for _ in range(count)]
        started.extend(batch)
        for peer in batch:
            peer.ready()
        return batch

    yield start
    for peer in started:
        peer.close()


def within(seconds: float, probe: Callable[[], Any]) -> tuple[Any, float]:
    """Poll `probe` until it returns something truthy; it and how long it took."""
    began = time.monotonic()
    while True:
        found = probe()
        took = time.monotonic() - began
        if found or took > seconds:
            return found, took
        time.sleep(0.02)

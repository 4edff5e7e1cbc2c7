"""Running one agent CLI headless against dragoman, and everything a failure should show.

Each run gets a fresh HOME (config files, caches, TMPDIR inside it), stdin from
/dev/null, a minimal environment (nothing of the machine's keys or settings leaks in),
the recording proxy for anything beyond loopback, and a timeout that kills its whole
process group. `Run.report()` shows what the agent printed, every request it sent
through the tap with dragoman's answer, dragoman's log and what the fakes received.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

from tests.clients.agents import Agent, Setup, configure
from tests.clients.proxy import RecordingProxy
from tests.clients.serve import DragomanProcess
from tests.clients.tap import Exchange, HttpMessage, Tap
from tests.fakes import RecordedRequest
from tests.fakes.fixtures import FakeUpstreams

KEY = "local-secret"  # what `dragoman serve --api-key` is given, and what the agents send
RUN_TIMEOUT = 120.0
SHOWN = 3000  # characters of each output shown in a report


@dataclass(slots=True)
class Run:
    agent: Agent
    argv: list[str]
    env: dict[str, str]  # the agent's own settings (the rest is the harness)
    folder: Path
    returncode: int | None  # None: killed at the timeout
    stdout: str
    stderr: str
    seconds: float
    exchanges: list[Exchange]
    proxy_attempts: list[str]
    dragoman_log: str
    upstream: list[tuple[str, RecordedRequest]] = field(default_factory=list)

    @property
    def output(self) -> str:
        return self.stdout + "\n" + self.stderr

    def upstream_posts(self, dialect: str) -> list[RecordedRequest]:
        return [r for name, r in self.upstream if name == dialect and r.method == "POST"]

    def statuses(self) -> list[str]:
        """dragoman's status line for each request the agent sent, in order."""
        return [exchange.response.start if exchange.response else "no answer" for exchange in self.exchanges]

    def sent_header(self, name: str) -> set[str | None]:
        """The values of header `name` across the agent's requests (None where absent)."""
        return {exchange.request.headers.get(name) for exchange in self.exchanges}

    def log_lines(self, pattern: str) -> list[str]:
        return [line for line in self.dragoman_log.splitlines() if re.search(pattern, line)]

    def dragoman_errors(self) -> list[str]:
        """Lines where dragoman reported trouble of its own (not an upstream's answer)."""
        return self.log_lines(r" ERROR |Traceback")

    def report(self) -> str:
        arguments = " ".join(self.argv[1:])
        parts = [
            f"{self.agent.name}: {arguments!r} -> rc={self.returncode} after {self.seconds:.1f} s",
            "agent settings: " + " ".join(f"{k}={v}" for k, v in self.env.items()),
            f"run folder (HOME, workdir, saved request bodies): {self.folder}",
            _section("stdout", self.stdout[-SHOWN:]),
            _section("stderr", self.stderr[-SHOWN:]),
            _section("requests the agent sent to dragoman", self._exchanges_text()),
            _section("dragoman log during the run", self.dragoman_log[-SHOWN * 2 :]),
            _section("requests the fake upstreams received", self._upstream_text()),
            _section("connections attempted beyond loopback", "\n".join(self.proxy_attempts) or "none"),
        ]
        return "\n".join(parts)

    def _exchanges_text(self) -> str:
        lines = []
        for number, exchange in enumerate(self.exchanges, 1):
            saved = self.folder / f"request-{number}.body"
            saved.write_bytes(exchange.request.body)
            answer = exchange.response.start if exchange.response else "no answer"
            lines.append(f"#{number} {exchange.request.start} -> {answer}")
            lines.append(f"  headers: {_headers(exchange.request)}")
            lines.append(f"  body ({len(exchange.request.body)} bytes, whole in {saved}):")
            lines.append("    " + exchange.request.body[:1500].decode(errors="replace"))
            if exchange.response is not None and not exchange.response.start.endswith(" 200 OK"):
                lines.append("  answer: " + exchange.response.body[:1500].decode(errors="replace"))
        return "\n".join(lines) or "none"

    def _upstream_text(self) -> str:
        lines = [
            f"{name}: {request.method} {request.path} " + request.body[:800].decode(errors="replace")
            for name, request in self.upstream
        ]
        return "\n".join(lines) or "none"


def _section(title: str, text: str) -> str:
    return f"----- {title} -----\n{text.rstrip()}"


def _headers(message: HttpMessage) -> str:
    secret = {"authorization", "x-api-key", "x-goog-api-key"}
    return ", ".join(f"{k}: {'<key>' if k in secret else v}" for k, v in message.headers.items())


class Runner:
    """Runs agents for one test; `run` fails the test at once if an agent left the machine."""

    def __init__(
        self,
        executables: dict[str, Path],
        dragoman: DragomanProcess,
        tap: Tap,
        proxy: RecordingProxy,
        fakes: FakeUpstreams,
        folder: Path,
    ) -> None:
        self.executables = executables
        self.dragoman = dragoman
        self.tap = tap
        self.proxy = proxy
        self.fakes = fakes
        self.folder = folder
        self._count = 0

    def workdir(self) -> Path:
        """A fresh project folder for the next run."""
        self._count += 1
        path = self.folder / f"run-{self._count}" / "project"
        path.mkdir(parents=True)
        return path

    def run(
        self,
        agent: Agent,
        model: str,
        prompt: str,
        *,
        workdir: Path | None = None,
        key: str = KEY,
        options: tuple[str, ...] = (),
        timeout: float = RUN_TIMEOUT,
    ) -> Run:
        workdir = workdir or self.workdir()
        home = workdir.parent / "home"
        (home / "tmp").mkdir(parents=True)
        executable = self.executables[agent.package.name]
        config = self.dragoman.config_path
        setup = Setup(executable, home, workdir, self.tap.url, key, model, config, options)
        argv, agent_env = configure(agent, setup, prompt)
        run = self._execute(agent, argv, agent_env, workdir, timeout)
        if set(run.proxy_attempts) - agent.may_reach:
            raise AssertionError(f"{agent.name} tried to reach beyond loopback:\n{run.report()}")
        return run

    def _execute(
        self, agent: Agent, argv: list[str], agent_env: dict[str, str], workdir: Path, timeout: float
    ) -> Run:
        self.tap.clear()
        self.proxy.attempts.clear()
        mark = self.dragoman.log_mark()
        before = {fake.dialect: len(fake.requests) for fake in self.fakes}
        env = {**self._base_env(workdir.parent / "home"), **self.proxy.environment(), **agent_env}
        started = time.monotonic()
        returncode, stdout, stderr = _run(argv, env, workdir, timeout)
        seconds = time.monotonic() - started
        time.sleep(0.2)  # dragoman writes the access line as the response ends
        upstream = [(fake.dialect, r) for fake in self.fakes for r in fake.requests[before[fake.dialect] :]]
        return Run(
            agent=agent,
            argv=argv,
            env=agent_env,
            folder=workdir.parent,
            returncode=returncode,
            stdout=stdout,
            stderr=stderr,
            seconds=seconds,
            exchanges=self.tap.exchanges(),
            proxy_attempts=list(self.proxy.attempts),
            dragoman_log=self.dragoman.log(mark),
            upstream=upstream,
        )

    @staticmethod
    def _base_env(home: Path) -> dict[str, str]:
        node = shutil.which("node")
        node_dir = os.path.dirname(node) if node else "/usr/bin"
        return {
            "PATH": f"{node_dir}:/usr/local/bin:/usr/bin:/bin",
            "HOME": str(home),
            "TMPDIR": str(home / "tmp"),
            "LANG": "C.UTF-8",
            "TERM": "dumb",
            "NO_COLOR": "1",
        }


def _run(argv: list[str], env: dict[str, str], cwd: Path, timeout: float) -> tuple[int | None, str, str]:
    """(returncode or None on timeout, stdout, stderr); the whole process group ends with it."""
    process = subprocess.Popen(
        argv,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
        returncode: int | None = process.returncode
    except subprocess.TimeoutExpired:
        _kill_group(process.pid)
        stdout, stderr = process.communicate()
        returncode = None
    _kill_group(process.pid)  # helpers the agent left behind
    return returncode, stdout.decode(errors="replace"), stderr.decode(errors="replace")


def _kill_group(pid: int) -> None:
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)

"""`dragoman serve` as a user runs it: its own process, a config file, a key, a log.

Each fake upstream is configured as the provider kind a user with that account would
use (`openai` for Responses, `openai` with `dialect = "openai_chat"`, `anthropic`,
`gemini`), at the fake's address, so the vendors' request quirks apply as they would.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

import httpx
import orjson

from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import UPSTREAM_MODELS

KIND_OF = {
    "openai_responses": ("openai", "openai_responses"),
    "openai_chat": ("openai", "openai_chat"),
    "anthropic": ("anthropic", "anthropic"),
    "gemini": ("gemini", "gemini"),
}
# The provider names (a Responses account is plainly "openai").
PROVIDER_OF = {
    "openai_responses": "openai",
    "openai_chat": "openai_chat",
    "anthropic": "anthropic",
    "gemini": "gemini",
}


# Gemini CLI asks for a thinking budget only for Gemini models it knows: through this alias
# it asks Claude to think, as a user with `aliases` in the README's tour would.
ALIASES = '\n[models]\naliases = { "gemini-2.5-pro" = "claude-sonnet-4-6" }\n'


def config_text(fakes: FakeUpstreams) -> str:
    """The config.toml a user would write for these four accounts."""
    lines = ["detect_ollama = false", ""]
    for dialect, (kind, wire) in KIND_OF.items():
        fake = fakes[dialect]
        lines += [
            f"[providers.{PROVIDER_OF[dialect]}]",
            f'kind = "{kind}"',
            f'dialect = "{wire}"',
            f"base_url = {_toml(fake.base_url)}",
            f"api_key = {_toml(fake.key)}",
            f"models = {orjson.dumps(UPSTREAM_MODELS[dialect]).decode()}",
            "",
        ]
    return "\n".join(lines) + ALIASES


def _toml(value: str) -> str:
    return orjson.dumps(value).decode()  # a JSON string is a valid TOML basic string here


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class DragomanProcess:
    """`dragoman serve --api-key KEY` on a free loopback port; its log goes to a file."""

    def __init__(self, folder: Path, fakes: FakeUpstreams, api_key: str) -> None:
        self.folder = folder
        self.port = free_port()
        self.log_path = folder / "dragoman.log"
        self.config_path = folder / "config.toml"
        self.config_path.write_text(config_text(fakes))
        self.api_key = api_key
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> DragomanProcess:
        env = {name: value for name, value in os.environ.items() if not name.startswith("DRAGOMAN_")}
        command = [sys.executable, "-m", "dragoman", "serve", "--bind", f"127.0.0.1:{self.port}"]
        command += ["--api-key", self.api_key, "--config", str(self.config_path)]
        command += ["--home", str(self.folder / "home")]
        with self.log_path.open("wb") as log:
            self._process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
        self._wait_healthy(timeout)
        return self

    def _wait_healthy(self, timeout: float) -> None:
        assert self._process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"dragoman serve exited (rc={self._process.returncode}):\n{self.log()}")
            try:
                httpx.get(self.url + "/healthz", timeout=1.0)
                return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError(f"dragoman serve did not answer /healthz within {timeout} s:\n{self.log()}")

    def log_mark(self) -> int:
        """A position in the log; `log(mark)` is everything written after it."""
        return self.log_path.stat().st_size

    def log(self, mark: int = 0) -> str:
        with self.log_path.open("rb") as log:
            log.seek(mark)
            return log.read().decode(errors="replace")

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None

    def __enter__(self) -> DragomanProcess:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

"""Two dragoman gateways sharing one home folder and one expired login: a burst of
requests at both refreshes the login once, and both then use the one new token."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx

from tests.subscriptions import Subscription, store_login, stored_logins, subscription

MODEL = "gpt-5.5"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def dragoman_process(home: Path) -> Iterator[str]:
    port = free_port()
    command = [sys.executable, "-m", "dragoman", "serve", "--bind", f"127.0.0.1:{port}", "--home", str(home)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    with subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) as process:
        root = f"http://127.0.0.1:{port}"
        try:
            _wait_ready(process, root)
            yield root
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def _wait_ready(process: subprocess.Popen[bytes], root: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"dragoman exited: {process.stderr.read().decode() if process.stderr else ''}")
        try:
            if httpx.get(f"{root}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError("dragoman did not start")


def test_two_gateways_on_one_home_refresh_an_expired_login_once(dragoman_home: Path) -> None:
    with subscription("codex") as codex, ExitStack() as stack:
        _prepare(dragoman_home, codex)
        roots = [stack.enter_context(dragoman_process(dragoman_home)) for _ in range(2)]
        codex.oauth.refresh_delay = 0.5

        async def burst() -> list[httpx.Response]:
            async with httpx.AsyncClient(timeout=60) as client:
                body = {"model": MODEL, "messages": [{"role": "user", "content": "hi"}]}
                sends = [client.post(f"{roots[n % 2]}/v1/chat/completions", json=body) for n in range(50)]
                return list(await asyncio.gather(*sends))

        answers = asyncio.run(burst())
        assert [answer.status_code for answer in answers] == [200] * 50, answers[0].text
        assert codex.oauth.refreshes == 1 and codex.oauth.reuses == 0
        [login] = stored_logins(dragoman_home)
        used = {request.header("authorization") for request in codex.backend.requests}
        assert used == {f"Bearer {login.access_token}"}


def _prepare(home: Path, codex: Subscription) -> None:
    store_login(home, codex, expired=True)
    (home / "config.toml").write_text("detect_ollama = false\n" + codex.toml())

"""A real cluster on loopback: three `dragoman serve` replicas, each with a home of its
own (as on three hosts: no file lock is shared), on one throwaway PostgreSQL database
and one Redis key prefix, behind HAProxy (Debian's /usr/sbin/haproxy, roundrobin)."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from dragoman.store import open_database
from dragoman.store.keyring import VARIABLE, new_key

HAPROXY = "/usr/sbin/haproxy"
REPLICAS = 3
# The key every replica seals credentials with: replicas share it through the variable,
# as the README's "Many replicas" says (each has a home of its own, as on its own host).
SECRET_KEY = new_key()

HAPROXY_CFG = """\
global
    maxconn 512
defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    retries 0
frontend gateway
    bind 127.0.0.1:{port}
    default_backend replicas
backend replicas
    balance roundrobin
    option httpchk GET /readyz
    default-server inter 300ms fall 1 rise 1
{servers}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def replica_config(postgres: str, redis: str, prefix: str) -> str:
    """What makes a home a replica's: the shared database and Redis (under `prefix`)."""
    return "\n".join(
        [
            f'database_url = "{postgres}"',
            f'redis_url = "{redis}"',
            f'redis_prefix = "{prefix}"',
            "",
        ]
    )


def upgrade_schema(postgres: str) -> None:
    """`dragoman db upgrade` on the shared database, before any replica starts."""

    async def upgrade() -> None:
        database = await open_database(postgres, upgrade=True)
        await database.close()

    asyncio.run(upgrade())


@dataclass
class Replica:
    home: Path
    port: int
    options: tuple[str, ...] = ()  # more `dragoman serve` options (the bench's --log-level)
    process: subprocess.Popen[bytes] | None = None

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [sys.executable, "-m", "dragoman", "serve", "--bind", f"127.0.0.1:{self.port}"]
        command += ["--home", str(self.home), *self.options]
        env = {name: value for name, value in os.environ.items() if not name.startswith("DRAGOMAN_")}
        env.update(PYTHONPATH=os.pathsep.join(sys.path), DRAGOMAN_DETECT_OLLAMA="false")
        env[VARIABLE] = SECRET_KEY
        with (self.home / "serve.log").open("ab") as log:  # the child keeps its own descriptor
            self.process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        wait_ready(self.process, self.root, self.home / "serve.log")

    def kill(self) -> None:
        """kill -9: no orderly close, as a host that dies."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()


def wait_ready(process: subprocess.Popen[bytes], root: str, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"dragoman exited:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{root}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"dragoman did not become ready:\n{log.read_text()[-3000:]}")


@dataclass
class Cluster:
    replicas: list[Replica]
    port: int
    folder: Path
    haproxy: subprocess.Popen[bytes] | None = None

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        for replica in self.replicas:
            replica.start()
        lines = [f"    server r{n} 127.0.0.1:{r.port} check" for n, r in enumerate(self.replicas)]
        config = self.folder / "haproxy.cfg"
        config.write_text(HAPROXY_CFG.format(port=self.port, servers="\n".join(lines)))
        subprocess.run([HAPROXY, "-c", "-q", "-f", str(config)], check=True)
        self.haproxy = subprocess.Popen([HAPROXY, "-db", "-f", str(config)], stderr=subprocess.DEVNULL)
        self.wait_all_up()

    def wait_all_up(self, seconds: float = 10) -> None:
        """Until HAProxy sends to every replica (its checks saw each ready)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.root}/readyz", timeout=1).status_code == 200:
                    time.sleep(1.0)  # three check intervals: every server's first check done
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError("HAProxy does not reach every replica")

    def stop(self) -> None:
        if self.haproxy is not None:
            self.haproxy.terminate()
            self.haproxy.wait(timeout=10)
        for replica in self.replicas:
            replica.stop()


async def burst(
    root: str, count: int, body: dict[str, object], headers: dict[str, str] | None = None
) -> list[httpx.Response]:
    """`count` chat requests at once."""
    async with httpx.AsyncClient(base_url=root, timeout=60, headers=headers) as client:
        sends = (client.post("/v1/chat/completions", json=body) for _ in range(count))
        return list(await asyncio.gather(*sends))

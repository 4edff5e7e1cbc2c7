"""The cluster's Redis restarted under it: a Redis of this module's own (the machine's
serves other tests), keeping nothing on disk, so it comes back empty."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from tests.cluster.probes import until, usage_limit
from tests.cluster.topology import Cluster, Replica, burst, free_port
from tests.subscriptions import Subscription

MODEL = "gpt-5.5"
HELLO = {"model": MODEL, "messages": [{"role": "user", "content": "hi"}]}


@dataclass
class OwnRedis:
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        until(self._answers, 5)

    def kill(self) -> None:
        """kill -9: what it held is gone (nothing on disk)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def _answers(self) -> bool:
        assert self.process is not None and self.process.poll() is None, "redis-server exited"
        probe = subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True, text=True)
        return probe.stdout.strip() == "PONG"


@pytest.fixture(scope="module")
def own_redis() -> Iterator[OwnRedis]:
    server = OwnRedis(free_port())
    server.start()
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture(scope="module")
def cluster_redis(own_redis: OwnRedis) -> str:
    return own_redis.url


def test_with_redis_gone_every_replica_serves_says_so_and_refreshes_without_losing_the_login(
    cluster: Cluster, codex: Subscription, own_redis: OwnRedis
) -> None:
    """The stored login is expired: it is refreshed while Redis is down (each replica
    then locks on its own host only)."""
    own_redis.kill()
    for replica in cluster.replicas:
        until(lambda replica=replica: _redis_problem(replica) is not None)
        readiness = httpx.get(f"{replica.root}/readyz", timeout=5)
        assert (readiness.status_code, readiness.json()["status"]) == (200, "degraded")
        assert readiness.json()["down"] == ["redis"] and str(own_redis.port) in readiness.text
    time.sleep(1.0)  # HAProxy's checks (every 0.3 s) have seen every /readyz since
    codex.oauth.refresh_delay = 0.5  # the replicas' refreshes overlap
    through_balancer = asyncio.run(burst(cluster.root, 6, HELLO))
    assert [answer.status_code for answer in through_balancer] == [200] * 6, through_balancer[0].text
    direct = asyncio.run(_each_replica(cluster, 4))
    assert [answer.status_code for answer in direct] == [200] * 12, direct
    # Each replica locked on its own host: a second refresh with the spent token was
    # refused, and its replica took the tokens the first stored instead of failing.
    assert codex.oauth.refreshes == 1 and codex.oauth.reuses >= 1
    codex.oauth.refresh_delay = 0.0
    assert len({request.header("authorization") for request in codex.backend.requests}) == 1


def test_redis_back_empty_gets_what_the_replicas_learned_meanwhile(
    cluster: Cluster, codex: Subscription, own_redis: OwnRedis
) -> None:
    """A cooldown learned by one replica while Redis was down reaches the others once it
    is back (the replicas write their copies to the empty Redis), and the cluster shares
    what it learns again from then on."""
    _redis_down(own_redis, cluster)
    codex.backend.script(usage_limit(8))
    assert _chat(cluster.replicas[0]).status_code == 429
    asked = len(codex.backend.requests)
    own_redis.start()
    for replica in cluster.replicas:
        until(lambda replica=replica: _redis_problem(replica) is None)
    assert [_chat(replica).status_code for replica in cluster.replicas[1:]] == [429, 429]
    assert len(codex.backend.requests) == asked  # neither asked the upstream: both knew
    for replica in cluster.replicas:  # the window resets (in 8 s): every replica serves again
        until(lambda replica=replica: _chat(replica).status_code == 200, 15)
    codex.backend.script(usage_limit(2))
    assert _chat(cluster.replicas[1]).status_code == 429
    asked = len(codex.backend.requests)
    time.sleep(0.1)
    assert _chat(cluster.replicas[2]).status_code == 429  # learned from replica 1 through Redis
    assert len(codex.backend.requests) == asked
    until(lambda: _chat(cluster.replicas[2]).status_code == 200)
    answers = asyncio.run(burst(cluster.root, 6, HELLO))
    assert [answer.status_code for answer in answers] == [200] * 6


def _chat(replica: Replica) -> httpx.Response:
    return httpx.post(f"{replica.root}/v1/chat/completions", json=HELLO, timeout=30)


def _redis_down(own_redis: OwnRedis, cluster: Cluster) -> None:
    own_redis.kill()
    for replica in cluster.replicas:
        until(lambda replica=replica: _redis_problem(replica) is not None)


def _redis_problem(replica: Replica) -> str | None:
    """What the replica's /readyz says of Redis (None: nothing)."""
    answer = httpx.get(f"{replica.root}/readyz", timeout=5)
    problems = answer.json().get("problems", {})
    return str(problems["redis"]) if "redis" in problems else None


async def _each_replica(cluster: Cluster, count: int) -> list[httpx.Response]:
    async with httpx.AsyncClient(timeout=60) as client:
        sends = [
            client.post(f"{replica.root}/v1/chat/completions", json=HELLO)
            for replica in cluster.replicas
            for _ in range(count)
        ]
        return list(await asyncio.gather(*sends))

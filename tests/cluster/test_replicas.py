"""Guarantees of many replicas, each on the real topology (tests/cluster/topology.py):
three `dragoman serve` behind HAProxy, sharing PostgreSQL and Redis."""

from __future__ import annotations

import asyncio

import httpx

from tests.cluster.topology import Cluster, burst
from tests.subscriptions import Subscription

MODEL = "gpt-5.5"
HELLO = {"model": MODEL, "messages": [{"role": "user", "content": "hi"}]}


def test_fifty_requests_on_an_expired_login_across_three_replicas_refresh_once(
    cluster: Cluster, codex: Subscription
) -> None:
    codex.oauth.refresh_delay = 0.3
    answers = asyncio.run(burst(cluster.root, 50, HELLO))
    assert [answer.status_code for answer in answers] == [200] * 50, answers[0].text
    assert codex.oauth.refreshes == 1 and codex.oauth.reuses == 0
    assert len({request.header("authorization") for request in codex.backend.requests}) == 1
    codex.oauth.refresh_delay = 0.0


def test_the_trace_stream_of_one_replica_shows_every_replicas_requests(cluster: Cluster) -> None:
    asyncio.run(_stream_sees_all(cluster))


async def _stream_sees_all(cluster: Cluster) -> None:
    sent = {f"cluster-trace-{n}" for n in range(len(cluster.replicas))}
    seen: set[str] = set()
    async with httpx.AsyncClient(timeout=30) as client:
        async with client.stream("GET", f"{cluster.replicas[0].root}/v1/traces/stream") as stream:
            lines = stream.aiter_lines()
            await anext(lines)  # the stream's first byte: subscribed
            await asyncio.sleep(0.5)  # the other replicas' scans see the subscriber
            for number, replica in enumerate(cluster.replicas):
                headers = {"x-request-id": f"cluster-trace-{number}"}
                answer = await client.post(f"{replica.root}/v1/chat/completions", json=HELLO, headers=headers)
                assert answer.status_code == 200, answer.text
            async with asyncio.timeout(10):
                async for line in lines:
                    seen.update(request for request in sent if request in line)
                    if seen == sent:
                        break
    assert seen == sent

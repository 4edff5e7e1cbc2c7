"""Guarantees of many replicas, each on the real topology (tests/cluster/topology.py):
three `dragoman serve` behind HAProxy, sharing PostgreSQL and Redis."""

from __future__ import annotations

import asyncio
import json
import time

import httpx

from tests.cluster.probes import until, usage_limit
from tests.cluster.topology import Cluster, burst
from tests.fakes.script import Reply
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
    feed = f"{cluster.replicas[0].root}/v1/traces/stream"
    async with httpx.AsyncClient(timeout=30) as client, client.stream("GET", feed) as stream:
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


SLOW = Reply(text="one two three four five six seven eight", chunks=8, chunk_delay=0.25)


def test_a_replica_killed_mid_stream_fails_its_stream_only_and_rejoins(
    cluster: Cluster, codex: Subscription
) -> None:
    codex.backend.script(SLOW, SLOW, SLOW)
    outcomes = asyncio.run(_three_streams_one_killed(cluster))
    assert isinstance(outcomes[1], httpx.TransportError)  # a closed connection, not a hang
    for survivor in (outcomes[0], outcomes[2]):
        assert isinstance(survivor, str), survivor
        assert "one two three four five six seven eight" in _text_of(survivor) and "[DONE]" in survivor
    cluster.replicas[1].start()
    cluster.wait_all_up()
    assert httpx.post(f"{cluster.replicas[1].root}/v1/chat/completions", json=HELLO).status_code == 200
    answers = asyncio.run(burst(cluster.root, 6, HELLO))
    assert [answer.status_code for answer in answers] == [200] * 6


async def _three_streams_one_killed(cluster: Cluster) -> list[str | BaseException]:
    started = [asyncio.Event() for _ in cluster.replicas]

    async def stream(number: int) -> str:
        body = {**HELLO, "stream": True}
        url = f"{cluster.replicas[number].root}/v1/chat/completions"
        text = ""
        async with httpx.AsyncClient(timeout=30) as client, client.stream("POST", url, json=body) as answer:
            async for chunk in answer.aiter_text():
                text += chunk
                started[number].set()
        return text

    running = [asyncio.create_task(stream(number)) for number in range(len(cluster.replicas))]
    async with asyncio.timeout(10):
        for event in started:
            await event.wait()
    await asyncio.to_thread(cluster.replicas[1].kill)
    async with asyncio.timeout(20):
        return list(await asyncio.gather(*running, return_exceptions=True))


def _text_of(stream: str) -> str:
    """The content of a chat completions stream's chunks, joined."""
    pieces = []
    for line in stream.splitlines():
        if line.startswith("data: {"):
            for choice in json.loads(line[6:]).get("choices", []):
                pieces.append(choice.get("delta", {}).get("content") or "")
    return "".join(pieces)


def test_a_cooldown_learned_by_one_replica_is_used_by_the_others_within_100_ms(
    cluster: Cluster, codex: Subscription
) -> None:
    codex.backend.script(usage_limit(3))
    first = httpx.post(f"{cluster.replicas[0].root}/v1/chat/completions", json=HELLO)
    assert first.status_code == 429
    asked = len(codex.backend.requests)
    time.sleep(0.1)
    others = [
        httpx.post(f"{replica.root}/v1/chat/completions", json=HELLO) for replica in cluster.replicas[1:]
    ]
    assert [answer.status_code for answer in others] == [429, 429]
    assert len(codex.backend.requests) == asked  # neither asked the upstream: both knew it cools
    # Its window resets (the answer said in 3 s): every replica serves it again.
    root = cluster.replicas[1].root
    until(lambda: httpx.post(f"{root}/v1/chat/completions", json=HELLO).status_code == 200)


def test_a_key_budget_holds_across_replicas(cluster: Cluster) -> None:
    """Last in the module: a named key makes every model request need one."""
    created = httpx.post(
        f"{cluster.replicas[0].root}/v1/admin/keys", json={"name": "team", "requests": "10/day"}
    )
    assert created.status_code == 201, created.text
    headers = {"authorization": f"Bearer {created.json()['secret']}"}
    wrong = {"authorization": "Bearer dgm_not-a-key-of-this-cluster"}
    for replica in cluster.replicas:  # each reads the keys table every 2 s; knowing one, it
        # refuses any other bearer (before, it takes anything on loopback)
        until(lambda root=replica.root: httpx.get(f"{root}/v1/models", headers=wrong).status_code == 401)
    answers = asyncio.run(burst(cluster.root, 24, HELLO, headers))
    statuses = [answer.status_code for answer in answers]
    assert set(statuses) <= {200, 403}, statuses  # a spent budget is 403 (a rate would be 429)
    assert 10 <= statuses.count(200) <= 11, statuses

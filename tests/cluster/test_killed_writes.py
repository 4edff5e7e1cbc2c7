"""A replica killed with -9 while it streams, answers, stores Responses and writes
traces: PostgreSQL holds nothing half-written. Each kind of row is checked against
what it must agree with: the usage ledger against the traces it was summed from (one
transaction writes both), each stored Response whole and its chain unbroken."""

from __future__ import annotations

import asyncio
import math
from typing import Any

import asyncpg
import httpx
import orjson

from dragoman.observe.traces.ledger import COSTS, COUNTS, DIMENSIONS, ledger_rows
from tests.cluster.topology import Cluster, Replica, burst
from tests.fakes.script import Reply
from tests.subscriptions import Subscription

MODEL = "gpt-5.5"
HELLO = {"model": MODEL, "messages": [{"role": "user", "content": "hi"}]}
SLOW = Reply(text="one two three four five six seven eight", chunks=8, chunk_delay=0.25)
FINAL = {"completed", "incomplete", "failed", "cancelled"}


def test_a_replica_killed_under_load_leaves_the_database_whole(
    cluster: Cluster, codex: Subscription, postgres: str
) -> None:
    victim = cluster.replicas[2]
    codex.backend.script(SLOW, SLOW, SLOW)
    outcomes = asyncio.run(_load_then_kill(victim))
    finished = [outcome for outcome in outcomes if isinstance(outcome, httpx.Response)]
    cut = [outcome for outcome in outcomes if isinstance(outcome, httpx.TransportError)]
    strange = [o for o in outcomes if not isinstance(o, httpx.Response | httpx.TransportError)]
    assert not strange, strange
    assert cut, "the kill ended no request mid-way"
    assert all(answer.status_code == 200 for answer in finished)
    others = asyncio.run(burst(cluster.replicas[0].root, 4, HELLO))  # the others write on
    assert [answer.status_code for answer in others] == [200] * 4
    victim.start()
    cluster.wait_all_up()
    for replica in cluster.replicas:  # each writes what it holds before it lists
        assert httpx.get(f"{replica.root}/v1/traces", timeout=10).status_code == 200
    traces, ledger, responses = asyncio.run(_rows(postgres))
    assert traces, "no trace was written"
    assert _ledger_of(ledger) == _ledger_of(ledger_rows(traces))
    _check_responses(responses)
    stored = [answer.json()["id"] for answer in finished if answer.url.path == "/v1/responses"]
    assert set(stored) <= {row["id"] for row in responses}  # every answer its client got is kept


async def _load_then_kill(victim: Replica) -> list[httpx.Response | BaseException]:
    """Three slow streams and a steady run of stored Responses on `victim`; kill -9 it
    while they run."""
    async with httpx.AsyncClient(base_url=victim.root, timeout=30) as client:
        streaming = [asyncio.create_task(_stream(client)) for _ in range(3)]
        await asyncio.sleep(0.5)  # the streams have begun
        stored = [asyncio.create_task(_stored_responses(client, n)) for n in range(4)]
        await asyncio.sleep(0.6)
        await asyncio.to_thread(victim.kill)
        async with asyncio.timeout(20):
            results = await asyncio.gather(*streaming, *stored, return_exceptions=True)
    flat: list[httpx.Response | BaseException] = []
    for result in results:
        flat.extend(result if isinstance(result, list) else [result])
    return flat


async def _stream(client: httpx.AsyncClient) -> httpx.Response:
    async with client.stream("POST", "/v1/chat/completions", json={**HELLO, "stream": True}) as answer:
        await answer.aread()
        return answer


async def _stored_responses(client: httpx.AsyncClient, worker: int) -> list[httpx.Response | BaseException]:
    """Stored Responses one after another, each continuing the last, until one fails."""
    answers: list[httpx.Response | BaseException] = []
    previous = None
    for turn in range(100):
        body: dict[str, Any] = {"model": MODEL, "input": f"worker {worker} turn {turn}", "store": True}
        if previous is not None:
            body["previous_response_id"] = previous
        try:
            answer = await client.post("/v1/responses", json=body)
        except httpx.TransportError as error:
            answers.append(error)
            return answers
        answers.append(answer)
        previous = answer.json()["id"]
    return answers


async def _rows(postgres: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    connection = await asyncpg.connect(postgres.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        traces = [orjson.loads(row["record"]) for row in await connection.fetch("SELECT record FROM traces")]
        ledger = [dict(row) for row in await connection.fetch("SELECT * FROM usage_ledger")]
        responses = [dict(row) for row in await connection.fetch("SELECT * FROM responses")]
    finally:
        await connection.close()
    return traces, ledger, responses


def _ledger_of(rows: list[dict[str, Any]]) -> dict[tuple[str, ...], tuple[float, ...]]:
    """Ledger rows by their dimensions: their counts, and their costs (0 for unknown,
    rounded: summed in another order)."""
    shown = {}
    for row in rows:
        counts = tuple(float(row[name]) for name in COUNTS)
        costs = tuple(round(row[name] or 0.0, 9) for name in COSTS)
        shown[tuple(row[name] for name in DIMENSIONS)] = counts + costs
    return shown


def _check_responses(rows: list[dict[str, Any]]) -> None:
    ids = {row["id"] for row in rows}
    for row in rows:
        response = orjson.loads(row["response"])
        assert response["id"] == row["id"] and response["status"] in FINAL, response
        assert isinstance(orjson.loads(row["input"]), list)
        assert math.isfinite(row["created_at"])
        assert row["previous_response_id"] is None or row["previous_response_id"] in ids, row

"""Replicas for the redis backend's tests: state bundles sharing one Redis under a key
prefix of the test's own, as `dragoman serve` replicas on several hosts would."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import pytest
import redis.asyncio as aioredis

from dragoman.state import State, open_state
from tests.state.conftest import REDIS_URL, redis_prefix

Replicas = Callable[[int], Awaitable[list[State]]]


@pytest.fixture
def prefix() -> Iterator[str]:
    with redis_prefix() as chosen:
        yield chosen


@pytest.fixture
async def replicas(prefix: str) -> AsyncIterator[Replicas]:
    """Start N replicas on the test's prefix; each is stopped after the test."""
    started: list[State] = []

    async def start(count: int) -> list[State]:
        batch = [open_state(None, redis_url=REDIS_URL, redis_prefix=prefix) for _ in range(count)]
        for state in batch:
            await state.start()
            started.append(state)
        return batch

    yield start
    for state in started:
        await state.stop()


@pytest.fixture
async def admin() -> AsyncIterator[aioredis.Redis]:
    """A connection of the test's own, to look at Redis or cut the replicas off."""
    client = aioredis.Redis.from_url(REDIS_URL, decode_responses=True)
    yield client
    await client.aclose()


async def within(seconds: float, probe: Callable[[], Any]) -> tuple[Any, float]:
    """Poll `probe` every millisecond until it returns something truthy; it and how long
    it took."""
    began = time.monotonic()
    while True:
        found = probe()
        took = time.monotonic() - began
        if found or took > seconds:
            return found, took
        await asyncio.sleep(0.001)


async def cut_off(admin: aioredis.Redis, state: State) -> int:
    """Drop every connection of `state`'s replica (CLIENT KILL by id): what a restart of
    Redis or a network fault does to it. How many there were."""
    name = state.service.link.name  # type: ignore[attr-defined]
    killed = 0
    for client in await admin.client_list():
        if client.get("name") == name:
            await admin.execute_command("CLIENT", "KILL", "ID", client["id"])
            killed += 1
    return killed

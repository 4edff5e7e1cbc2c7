"""The contract suite's fixtures: every test that takes `state` runs once per backend,
on a clock the test moves by hand (nothing sleeps through a cooldown).

The redis backend's tests use the Redis at DRAGOMAN_TEST_REDIS_URL (the local one on
its standard port unless told), each under a key prefix of its own, deleted after it:
CI starts that Redis, so they are never skipped.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
import redis

from dragoman.state import BACKENDS, State, open_state

START = 1_800_000_000.0  # 2027-01-15, a Friday, 08:00 UTC


class FakeClock:
    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


REDIS_URL = os.environ.get("DRAGOMAN_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@contextlib.contextmanager
def redis_prefix() -> Iterator[str]:
    """A key prefix no other test uses; its keys are deleted afterwards (a plain client:
    usable with or without an event loop)."""
    prefix = f"dragoman-test-{secrets.token_hex(6)}:"
    try:
        yield prefix
    finally:
        with redis.Redis.from_url(REDIS_URL) as client:
            keys = client.keys(prefix + "*")  # a test's few keys
            if keys:
                client.delete(*keys)


@contextlib.asynccontextmanager
async def opened_state(backend: str, tmp_path: Path, clock: Callable[[], float]) -> AsyncIterator[State]:
    """A started state of `backend` for one test: a home in `tmp_path`, or a Redis prefix."""
    if backend == "redis":
        with redis_prefix() as prefix:
            opened = open_state(None, backend=backend, clock=clock, redis_url=REDIS_URL, redis_prefix=prefix)
            async with opened:
                yield opened
        return
    home = tmp_path / "home" if backend != "memory" else None
    async with open_state(home, backend=backend, clock=clock) as opened:
        yield opened


@pytest.fixture(params=sorted(BACKENDS))
async def state(request: pytest.FixtureRequest, tmp_path: Path, clock: FakeClock) -> AsyncIterator[State]:
    async with opened_state(request.param, tmp_path, clock) as opened:
        yield opened

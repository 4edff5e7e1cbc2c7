"""The contract suite's fixtures: every test that takes `state` runs once per backend,
on a clock the test moves by hand (nothing sleeps through a cooldown)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

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


@pytest.fixture(params=sorted(BACKENDS))
async def state(request: pytest.FixtureRequest, tmp_path: Path, clock: FakeClock) -> AsyncIterator[State]:
    home = tmp_path / "home" if request.param != "memory" else None
    opened = open_state(home, backend=request.param, clock=clock)
    async with opened:
        yield opened

"""Runtime state for the policy's tests: once per backend, on a clock moved by hand."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from dragoman.state import BACKENDS, State, open_state
from tests.state.conftest import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(params=sorted(BACKENDS))
async def state(request: pytest.FixtureRequest, tmp_path: Path, clock: FakeClock) -> AsyncIterator[State]:
    home = tmp_path / "home" if request.param != "memory" else None
    opened = open_state(home, backend=request.param, clock=clock)
    async with opened:
        yield opened

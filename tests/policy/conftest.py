"""Runtime state for the policy's tests: once per backend, on a clock moved by hand."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from dragoman.state import BACKENDS, State
from tests.state.conftest import FakeClock, opened_state


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(params=sorted(BACKENDS))
async def state(request: pytest.FixtureRequest, tmp_path: Path, clock: FakeClock) -> AsyncIterator[State]:
    async with opened_state(request.param, tmp_path, clock) as opened:
        yield opened

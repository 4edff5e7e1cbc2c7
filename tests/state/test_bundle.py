"""`open_state`: which backend a gateway gets."""

from __future__ import annotations

from pathlib import Path

import pytest

from dragoman.config import Settings
from dragoman.state import open_state


async def test_a_home_gets_the_host_backend_even_for_one_process(tmp_path: Path) -> None:
    async with open_state(Settings(home=tmp_path / "home")) as state:
        assert state.backend == "host"
    async with open_state(tmp_path / "home", workers=True) as state:
        assert state.backend == "host"
    assert (tmp_path / "home" / "state" / "state.db").exists()


async def test_no_home_gets_memory() -> None:
    async with open_state(None) as state:
        assert state.backend == "memory"


def test_workers_never_get_a_memory_backend(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="memory backend"):
        open_state(None, workers=True)
    with pytest.raises(ValueError, match="memory backend"):
        open_state(tmp_path, workers=True, backend="memory")


def test_an_unknown_backend_is_named(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"'redis'.*known: memory, host"):
        open_state(tmp_path, backend="redis")

"""`open_state`: which backend a gateway gets."""

from __future__ import annotations

from pathlib import Path

import pytest

from dragoman.config import Settings
from dragoman.state import open_state
from dragoman.state.redis import RedisUnreachable
from tests.state.conftest import REDIS_URL, redis_prefix


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
    with pytest.raises(ValueError, match=r"'etcd'.*known: memory, host, redis"):
        open_state(tmp_path, backend="etcd")


async def test_a_redis_url_gets_the_redis_backend_workers_or_not(tmp_path: Path) -> None:
    with redis_prefix() as prefix:
        settings = Settings(home=tmp_path / "home", redis_url=REDIS_URL)
        async with open_state(settings, workers=True, redis_prefix=prefix) as state:
            assert state.backend == "redis"
            state.health.strike("alice", "", "quota", "429", until=2e9)
    assert not (tmp_path / "home" / "state").exists()  # nothing of it in the home


async def test_an_unreachable_redis_is_named_with_its_password_masked() -> None:
    state = open_state(None, redis_url="redis://dragoman:hunter2@127.0.0.1:1/0")
    with pytest.raises(
        RedisUnreachable, match=r"redis_url redis://dragoman:\S+@127\.0\.0\.1:1/0: cannot reach Redis"
    ) as caught:
        await state.start()
    assert "hunter2" not in str(caught.value)
    await state.stop()


def test_the_redis_backend_needs_a_url() -> None:
    with pytest.raises(ValueError, match="redis_url"):
        open_state(None, backend="redis")

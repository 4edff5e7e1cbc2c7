"""Work that finishes once begun: a cancelled caller stops waiting, the work does not."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from dragoman.store import durable
from dragoman.store.db import open_database


async def _started(coroutine: object) -> asyncio.Task[object]:
    """A task running `coroutine`, let run until its first real wait."""
    task = asyncio.ensure_future(coroutine)  # type: ignore[arg-type]
    await asyncio.sleep(0.01)
    return task


async def test_a_cancelled_caller_leaves_the_work_running_to_its_end() -> None:
    finished: list[str] = []

    async def write() -> str:
        await asyncio.sleep(0.1)
        finished.append("written")
        return "done"

    caller = await _started(durable.finish(write()))
    caller.cancel()
    with pytest.raises(asyncio.CancelledError):
        await caller
    assert finished == []
    await durable.settle()
    assert finished == ["written"]


async def test_a_caller_still_waiting_gets_the_result_or_the_error() -> None:
    async def fail() -> None:
        await asyncio.sleep(0)
        raise LookupError("gone")

    assert await durable.finish(asyncio.sleep(0.01, result=7)) == 7
    with pytest.raises(LookupError, match="gone"):
        await durable.finish(fail())


async def test_a_failure_nobody_waits_for_is_logged_by_type_only(caplog: pytest.LogCaptureFixture) -> None:
    async def fail() -> None:
        await asyncio.sleep(0.05)
        raise ValueError("secret-token-in-a-database-error")

    caller = await _started(durable.finish(fail()))
    caller.cancel()
    with caplog.at_level(logging.DEBUG, logger="dragoman.store"), pytest.raises(asyncio.CancelledError):
        await caller
    with caplog.at_level(logging.DEBUG, logger="dragoman.store"):
        await durable.settle()
    assert "ValueError" in caplog.text and "secret-token" not in caplog.text


class Counter:
    def __init__(self) -> None:
        self.count = 0

    @durable.durable
    async def bump(self, by: int) -> int:
        await asyncio.sleep(0.05)
        self.count += by
        return self.count


async def test_a_durable_method_finishes_each_call() -> None:
    counter = Counter()
    caller = await _started(counter.bump(2))
    caller.cancel()
    assert await counter.bump(3) == 5, "the cancelled call added its 2 as well"
    await durable.settle()
    assert counter.count == 5


async def test_closing_a_database_waits_for_its_writes(tmp_path: Path) -> None:
    database = await open_database(f"sqlite+aiosqlite:///{tmp_path / 'd.db'}")
    finished: list[bool] = []

    async def slow() -> None:
        await asyncio.sleep(0.1)
        finished.append(True)

    caller = await _started(durable.finish(slow()))
    caller.cancel()
    await database.close()
    assert finished == [True]

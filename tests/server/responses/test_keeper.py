"""The keeper: a response is found the moment it is kept, written in batches, deleted
on request and past `keep_days`, and a failing database costs only what waited."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from dragoman.server.responses.keeper import Keeper
from dragoman.store.stored_response import StoredResponse


def stored(response_id: str, age_days: float = 0.0) -> StoredResponse:
    return StoredResponse(
        id=response_id,
        created_at=time.time() - age_days * 86400,
        key="",
        account="up",
        kept=False,
        previous_response_id=None,
        response={"id": response_id, "object": "response", "output": []},
        input=[{"id": "msg_1", "type": "message", "role": "user", "content": "hi"}],
    )


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'dragoman.db'}"


async def test_found_before_and_after_it_is_written(url: str) -> None:
    keeper = Keeper(url, keep_days=30)
    keeper.keep(stored("resp_1"))
    assert (await keeper.get("resp_1")) is keeper.pending["resp_1"]  # no database read yet
    await keeper.flush()
    assert keeper.pending == {}
    found = await keeper.get("resp_1")
    assert found is not None and found.response["id"] == "resp_1" and found.input[0]["content"] == "hi"
    await keeper.stop()
    reopened = Keeper(url, keep_days=30)
    assert (await reopened.get("resp_1")) == found
    await reopened.stop()


async def test_deleted_whether_waiting_or_written(url: str) -> None:
    keeper = Keeper(url, keep_days=30)
    keeper.keep(stored("resp_waiting"))
    keeper.keep(stored("resp_written"))
    await keeper.flush()
    keeper.keep(stored("resp_waiting"))
    assert await keeper.delete("resp_waiting") and await keeper.delete("resp_written")
    await keeper.flush()
    assert await keeper.get("resp_waiting") is None and await keeper.get("resp_written") is None
    assert not await keeper.delete("resp_written")
    await keeper.stop()


async def test_retention_deletes_only_the_old(url: str) -> None:
    keeper = Keeper(url, keep_days=1)
    keeper.keep(stored("resp_old", age_days=2))
    keeper.keep(stored("resp_new", age_days=0.5))
    await keeper.flush()
    assert await keeper.retain() == 1
    assert await keeper.get("resp_old") is None and await keeper.get("resp_new") is not None
    await keeper.stop()


async def test_a_full_batch_is_written_without_waiting_for_the_timer(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("dragoman.server.responses.keeper.FLUSH_SECONDS", 60.0)
    monkeypatch.setattr("dragoman.server.responses.keeper.BATCH", 2)
    keeper = Keeper(url, keep_days=30)
    keeper.start()
    keeper.keep(stored("resp_a"))
    keeper.keep(stored("resp_b"))
    deadline = time.monotonic() + 5
    while keeper.pending and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    assert keeper.pending == {}
    assert await keeper.store().get("resp_b") is not None
    await keeper.stop()


async def test_a_failing_database_drops_what_waited(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("")
    keeper = Keeper(f"sqlite+aiosqlite:///{blocked / 'dragoman.db'}", keep_days=30)  # under a file
    keeper.keep(stored("resp_lost"))
    await keeper.flush()
    assert keeper.dropped == 1 and keeper.pending == {}
    await keeper.stop()


async def test_waiting_for_the_write_starts_it_and_all_who_wait_share_it(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("dragoman.server.responses.keeper.FLUSH_SECONDS", 60.0)  # no timer to help
    keeper = Keeper(url, keep_days=30)
    keeper.start()
    writes: list[int] = []
    real_write = keeper.store().write

    async def counted(batch: list[StoredResponse]) -> None:
        writes.append(len(batch))
        await real_write(batch)

    monkeypatch.setattr(keeper.store(), "write", counted)
    for name in ("resp_a", "resp_b", "resp_c"):
        keeper.keep(stored(name))
    await asyncio.wait_for(asyncio.gather(*(keeper.written() for _ in range(3))), 5)
    assert writes == [3] and keeper.pending == {}
    assert await keeper.store().get("resp_c") is not None
    await keeper.stop()


async def test_a_failing_write_still_lets_its_waiters_go(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("")
    keeper = Keeper(f"sqlite+aiosqlite:///{blocked / 'dragoman.db'}", keep_days=30)
    keeper.start()
    keeper.keep(stored("resp_lost"))
    await asyncio.wait_for(keeper.written(), 5)
    assert keeper.dropped == 1
    await keeper.stop()

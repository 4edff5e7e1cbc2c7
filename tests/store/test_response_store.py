"""Stored Responses on SQLite and PostgreSQL: replaced whole by id, read back as
stored, deleted one by one or by age."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from dragoman.store.response_store import ResponseStore
from dragoman.store.stored_response import StoredResponse


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[ResponseStore]:
    kept = ResponseStore(database_url)
    yield kept
    await kept.close()


def _response(id_: str, created_at: float, status: str = "completed", **changes: object) -> StoredResponse:
    values: dict[str, object] = {
        "id": id_,
        "created_at": created_at,
        "key": "ci",
        "account": "work",
        "kept": False,
        "previous_response_id": None,
        "response": {"id": id_, "status": status, "output": [{"type": "message", "text": "héllo"}]},
        "input": [{"id": "msg_1", "role": "user", "content": "hi"}],
    }
    values.update(changes)
    return StoredResponse(**values)  # type: ignore[arg-type]


async def test_a_response_round_trips_and_a_rewrite_replaces_it(store: ResponseStore) -> None:
    first = _response("resp_1", 100.0, status="in_progress", kept=True, previous_response_id="resp_0")
    await store.write([first, _response("resp_2", 200.0)])
    assert await store.get("resp_1") == first
    done = _response("resp_1", 100.0, kept=True, previous_response_id="resp_0")
    await store.write([done])  # the background run, finished
    assert await store.get("resp_1") == done
    assert await store.get("resp_nope") is None


async def test_delete_and_retention(store: ResponseStore) -> None:
    await store.write([_response(f"resp_{n}", float(n)) for n in range(5)])
    assert await store.delete("resp_4") is True
    assert await store.delete("resp_4") is False
    assert await store.retain(before=2.0) == 2
    assert [await store.get(f"resp_{n}") is not None for n in range(5)] == [False, False, True, True, False]

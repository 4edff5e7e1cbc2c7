"""The batches' tables: one claimer per request, however many processes claim at once;
a batch ends with its last request, its cancel or its expiry."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import update

from dragoman.batches.store import BatchStore, Claimed
from dragoman.batches.wire import errored
from dragoman.store import open_database
from dragoman.store.tables import message_batches

PARAMS = {"model": "m", "max_tokens": 8, "messages": [{"role": "user", "content": "hi"}]}


@pytest.fixture
def url(database_url: str) -> str:
    """SQLite, and PostgreSQL (`tests.databases`)."""
    return database_url


async def test_two_processes_claiming_at_once_claim_each_request_once(url: str) -> None:
    first, second = await open_database(url), await open_database(url)
    try:
        stores = [BatchStore(first.engine), BatchStore(second.engine)]
        batch = await stores[0].create("", [(f"r{n}", PARAMS) for n in range(40)])

        async def claims(store: BatchStore, owner: str) -> list[Claimed]:
            taken = []
            while (claimed := await store.claim(owner)) is not None:
                taken.append(claimed)
            return taken

        one, two = await asyncio.gather(claims(stores[0], "a"), claims(stores[1], "b"))
        ids = [claimed.custom_id for claimed in one + two]
        assert sorted(ids) == sorted(f"r{n}" for n in range(40)) and len(set(ids)) == 40
        assert one and two  # both took part
        assert {owner for _, _, owner in await stores[0].running()} == {"a", "b"}
        assert (await stores[0].get(batch.id)).counts == {"running": 40}  # type: ignore[union-attr]
    finally:
        await first.close()
        await second.close()


async def test_a_batch_ends_with_its_last_result(url: str) -> None:
    database = await open_database(url)
    store = BatchStore(database.engine)
    try:
        batch = await store.create("alice", [("a", PARAMS), ("b", PARAMS)])
        for _ in range(2):
            claimed = await store.claim("me")
            assert claimed is not None and claimed.key == "alice" and claimed.params == PARAMS
            assert (await store.get(batch.id)).ended_at is None  # type: ignore[union-attr]
            await store.finish(batch.id, claimed.custom_id, "errored", errored("no"))
        ended = await store.get(batch.id)
        assert ended is not None and ended.status == "ended" and ended.counts == {"errored": 2}
        assert await store.get(batch.id, key="bob") is None
        assert [custom_id for custom_id, _ in await store.results(batch.id)] == ["a", "b"]
    finally:
        await database.close()


async def test_cancel_ends_the_queued_and_leaves_the_running_to_finish(url: str) -> None:
    database = await open_database(url)
    store = BatchStore(database.engine)
    try:
        batch = await store.create("", [(f"r{n}", PARAMS) for n in range(3)])
        running = await store.claim("me")
        assert running is not None
        canceling = await store.cancel(batch.id, None)
        assert canceling is not None and canceling.status == "canceling"
        assert canceling.counts == {"running": 1, "canceled": 2}
        assert await store.claim("me") is None
        await store.finish(batch.id, running.custom_id, "succeeded", {"type": "succeeded", "message": {}})
        assert (await store.get(batch.id)).status == "ended"  # type: ignore[union-attr]
    finally:
        await database.close()


async def test_the_requests_of_an_expired_batch_expire_unsent(url: str) -> None:
    database = await open_database(url)
    store = BatchStore(database.engine)
    try:
        batch = await store.create("", [("a", PARAMS), ("b", PARAMS)])
        async with database.engine.begin() as connection:
            await connection.execute(update(message_batches).values(expires_at=1.0))
        assert await store.claim("me") is None
        expired = await store.get(batch.id)
        assert expired is not None and expired.status == "ended" and expired.counts == {"expired": 2}
        assert {result["type"] for _, result in await store.results(batch.id)} == {"expired"}
    finally:
        await database.close()


async def test_pages_go_newest_first_either_way(url: str) -> None:
    database = await open_database(url)
    store = BatchStore(database.engine)
    try:
        ids = [(await store.create("", [("a", PARAMS)])).id for _ in range(5)]
        newest = await store.page(None, 2, None, None)
        assert [batch.id for batch in newest.batches] == [ids[4], ids[3]] and newest.has_more
        after = await store.page(None, 2, ids[1], None)
        assert [batch.id for batch in after.batches] == [ids[0]] and not after.has_more
        before = await store.page(None, 2, None, ids[2])
        assert [batch.id for batch in before.batches] == [ids[4], ids[3]] and not before.has_more
    finally:
        await database.close()

"""Where `dragoman batches` finds the batches: a running `dragoman serve`'s Message
Batches API (with the config's first key), else the home folder's database itself, as
`dragoman accounts` does (`cli.admin_client`). A batch canceled offline has its queued
requests canceled at once; one running is ended by the gateway that runs it.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, Protocol

import httpx

from dragoman.cli.admin_client import (
    CALL_SECONDS,
    REACH_SECONDS,
    AdminProblem,
    answers,
    message,
    say,
    served_at,
)
from dragoman.config import Settings

if TYPE_CHECKING:
    from dragoman.batches.store import BatchStore

PATH = "/v1/messages/batches"
# The most batches a listing shows.
LISTED = 100


class Batches(Protocol):
    async def listing(self) -> list[dict[str, Any]]: ...

    async def one(self, batch_id: str) -> dict[str, Any]: ...

    async def cancel(self, batch_id: str) -> dict[str, Any]: ...


class RemoteBatches:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def listing(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = (await self._call("GET", f"?limit={LISTED}"))["data"]
        return found

    async def one(self, batch_id: str) -> dict[str, Any]:
        return await self._call("GET", f"/{batch_id}")

    async def cancel(self, batch_id: str) -> dict[str, Any]:
        return await self._call("POST", f"/{batch_id}/cancel")

    async def _call(self, method: str, path: str) -> dict[str, Any]:
        answer = await self.client.request(method, PATH + path)
        if answer.status_code >= 400:
            raise AdminProblem(f"the running dragoman answered {answer.status_code}: {message(answer)}")
        said: dict[str, Any] = answer.json()
        return said


class LocalBatches:
    """The same on the home folder's database (None: it has none yet)."""

    def __init__(self, store: BatchStore | None, base_url: str) -> None:
        self.store = store
        self.base_url = base_url

    async def listing(self) -> list[dict[str, Any]]:
        if self.store is None:
            return []
        page = await self.store.page(None, LISTED, None, None)
        return [batch.shown(self.base_url) for batch in page.batches]

    async def one(self, batch_id: str) -> dict[str, Any]:
        found = await self.store.get(batch_id) if self.store is not None else None
        if found is None:
            raise AdminProblem(f"no message batch {batch_id!r} here")
        return found.shown(self.base_url)

    async def cancel(self, batch_id: str) -> dict[str, Any]:
        await self.one(batch_id)
        assert self.store is not None
        canceled = await self.store.cancel(batch_id, None)
        assert canceled is not None
        return canceled.shown(self.base_url)


@contextlib.asynccontextmanager
async def batch_api(settings: Settings, *, verbose: bool = False) -> AsyncIterator[Batches]:
    """The running gateway's batches, else the home folder's."""
    url = served_at(settings)
    headers = {"authorization": f"Bearer {settings.key_values()[0]}"} if settings.api_keys else {}
    timeout = httpx.Timeout(CALL_SECONDS, connect=REACH_SECONDS)
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=timeout, trust_env=False) as client:
        if await answers(client):
            say(verbose, f"using the dragoman serving at {url}")
            yield RemoteBatches(client)
            return
    say(verbose, f"no dragoman answers at {url}: working on {settings.home}")
    from dragoman.batches.store import BatchStore  # SQLAlchemy only now
    from dragoman.store.db import open_existing

    database = await open_existing(settings.effective_database_url, options=settings.database)
    try:
        yield LocalBatches(BatchStore(database.engine) if database is not None else None, url)
    finally:
        if database is not None:
            await database.close()

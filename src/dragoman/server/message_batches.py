"""The Message Batches endpoints (`/v1/messages/batches...`), as Anthropic's API serves
them; the requests are answered in the background (`dragoman.batches.runner`).

A named key sees and changes only the batches it made; an admin key (or none, on a
gateway without keys) sees them all. Nothing here runs for any other request.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson
from starlette.requests import Request as HttpRequest
from starlette.responses import JSONResponse, Response

from dragoman.batches.wire import Batch, checked_requests
from dragoman.ir.errors import InvalidRequest, NotFound, Unavailable
from dragoman.server.body import read_json
from dragoman.server.exchange import exchange_of
from dragoman.server.gateway import Gateway

if TYPE_CHECKING:
    from dragoman.batches.store import BatchStore

LIMIT_DEFAULT, LIMIT_MAX = 20, 1000
JSONL = "application/x-jsonl"


async def create(http: HttpRequest) -> Response:
    gateway: Gateway = http.app.state.gateway
    items = checked_requests(await read_json(http, gateway.settings.max_body_bytes))
    store = await _store(http)
    batch = await store.create(exchange_of(http.scope).key or "", items)
    assert gateway.batches is not None
    gateway.batches.wake()
    return _shown(http, batch)


async def listing(http: HttpRequest) -> Response:
    query = http.query_params
    limit = _limit(query.get("limit"))
    page = await (await _store(http)).page(_owner(http), limit, query.get("after_id"), query.get("before_id"))
    data = [batch.shown(str(http.base_url)) for batch in page.batches]
    first, last = (data[0]["id"], data[-1]["id"]) if data else (None, None)
    return JSONResponse({"data": data, "has_more": page.has_more, "first_id": first, "last_id": last})


async def one(http: HttpRequest) -> Response:
    return _shown(http, await _batch(http))


async def cancel(http: HttpRequest) -> Response:
    batch = await _batch(http)
    canceled = await (await _store(http)).cancel(batch.id, _owner(http))
    return _shown(http, canceled or batch)


async def remove(http: HttpRequest) -> Response:
    batch = await _batch(http)
    if batch.ended_at is None:
        raise InvalidRequest(
            f"message batch {batch.id} is still {batch.status}: cancel it, and delete it once it has ended"
        )
    await (await _store(http)).delete(batch.id)
    return JSONResponse({"id": batch.id, "type": "message_batch_deleted"})


async def results(http: HttpRequest) -> Response:
    batch = await _batch(http)
    if batch.ended_at is None:
        raise InvalidRequest(f"message batch {batch.id} has not ended yet: its results come once it has")
    found = await (await _store(http)).results(batch.id)
    lines = [orjson.dumps({"custom_id": custom_id, "result": result}) for custom_id, result in found]
    return Response(b"\n".join(lines) + b"\n", media_type=JSONL)


async def _store(http: HttpRequest) -> BatchStore:
    gateway: Gateway = http.app.state.gateway
    if gateway.batches is None:
        raise Unavailable("dragoman is not started yet")
    return await gateway.batches.store()


async def _batch(http: HttpRequest) -> Batch:
    batch_id = http.path_params["batch_id"]
    found = await (await _store(http)).get(batch_id, _owner(http))
    if found is None:
        raise NotFound(f"message batch {batch_id!r} not found")
    return found


def _owner(http: HttpRequest) -> str | None:
    """The key whose batches this request may see; None: every batch (an admin key)."""
    key = exchange_of(http.scope).local_key
    return None if key is None or key.admin else key.name


def _limit(given: str | None) -> int:
    if given is None:
        return LIMIT_DEFAULT
    if not given.isdigit() or not 1 <= int(given) <= LIMIT_MAX:
        raise InvalidRequest(f"limit: a whole number from 1 to {LIMIT_MAX} is required")
    return int(given)


def _shown(http: HttpRequest, batch: Batch) -> Response:
    body: Any = batch.shown(str(http.base_url))
    return JSONResponse(body)

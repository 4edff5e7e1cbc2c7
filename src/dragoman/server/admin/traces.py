"""Traces, behind the local key:

    GET /v1/traces          a page, newest first (filters: `observe.traces.filters`)
    GET /v1/traces/{id}     one trace, bodies included when kept; a 404 if unknown
    GET /v1/traces/stream   Server-Sent Events: a summary of each request as it ends,
                            from every worker (the state's live feed)
    DELETE /v1/traces       ?older_than=7d or ?all=true: purged from the database and
                            this process's ring (the usage ledger stays)

A listing reads the database when traces are kept there (every worker's), after
writing what this process still holds, else this process's ring. A viewer of the
stream that reads slowly loses its oldest records, never slows a request: an event
`dropped` says how many it has lost so far.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import orjson
from starlette.requests import Request as HttpRequest
from starlette.responses import Response, StreamingResponse

from dragoman.ir.errors import NotFound
from dragoman.observe.traces.filters import PurgeQuery, TraceQuery, select_records
from dragoman.server.admin.common import json, parameters, tracer_of
from dragoman.server.gateway import Gateway
from dragoman.state.protocols import FeedRecord, Subscription

# Unread records a viewer may fall behind by before the oldest are dropped.
BACKLOG = 1000
KEEPALIVE_SECONDS = 15.0
# How long a viewer that woke for a record waits for the ones right behind it.
GATHER_SECONDS = 0.05


async def listing(http: HttpRequest) -> Response:
    query = parameters(http, TraceQuery)
    tracer = tracer_of(http)
    store = tracer.store()
    if store is None:
        return json(select_records(tracer.ring.records(), query))
    from dragoman.observe.traces.query import list_traces

    await tracer.flush()
    return json(await list_traces(await store.engine(), query))


async def purge(http: HttpRequest) -> Response:
    before = parameters(http, PurgeQuery).before
    tracer = tracer_of(http)
    removed = tracer.ring.purge(before)
    store = tracer.store()
    if store is not None:
        from dragoman.observe.traces.query import purge as purge_stored

        await tracer.flush()
        removed = await purge_stored(await store.engine(), before)
    return json({"purged": removed})


async def one(http: HttpRequest) -> Response:
    trace_id = http.path_params["trace_id"]
    tracer = tracer_of(http)
    record = tracer.find(trace_id)
    store = tracer.store() if record is None else None
    if store is not None:
        from dragoman.observe.traces.query import get_trace

        await tracer.flush()
        record = await get_trace(await store.engine(), trace_id)
    if record is None:
        raise NotFound(f"no trace {trace_id!r} (it may be older than what is kept)")
    return json(record)


async def stream(http: HttpRequest) -> Response:
    tracer_of(http)  # a 404 when tracing is off
    gateway: Gateway = http.app.state.gateway
    if gateway.state is None:
        raise NotFound("dragoman is not started yet")
    subscription = gateway.state.feed.subscribe(BACKLOG)
    headers = {"cache-control": "no-cache", "x-accel-buffering": "no"}
    return StreamingResponse(_events(subscription), media_type="text/event-stream", headers=headers)


async def _events(subscription: Subscription) -> AsyncIterator[bytes]:
    reported = 0
    try:
        yield b": dragoman traces\n\n"  # headers and a first byte at once
        while True:
            try:
                async with asyncio.timeout(KEEPALIVE_SECONDS):
                    first = await anext(subscription)
            except TimeoutError:
                yield b": keep-alive\n\n"
                continue
            # A viewer wakes at most once per GATHER_SECONDS and writes what came
            # meanwhile in one chunk: with ten viewers open, a busy relay pays ten
            # writes per burst, not ten per request.
            await asyncio.sleep(GATHER_SECONDS)
            records = [first, *subscription.waiting()]
            chunk = b""
            if subscription.dropped > reported:
                reported = subscription.dropped
                chunk = b"event: dropped\ndata: " + orjson.dumps({"dropped": reported}) + b"\n\n"
            yield chunk + b"".join(map(_event, records))
    except StopAsyncIteration:
        return
    finally:
        subscription.close()


# Each record's event, encoded once for all viewers: the feed hands every viewer the
# same object. Kept with the record, so that its id cannot name another meanwhile.
_encoded: dict[int, tuple[FeedRecord, bytes]] = {}
ENCODED_MAX = 2 * BACKLOG


def _event(record: FeedRecord) -> bytes:
    known = _encoded.get(id(record))
    if known is not None and known[0] is record:
        return known[1]
    if len(_encoded) >= ENCODED_MAX:
        del _encoded[next(iter(_encoded))]  # the oldest
    event = b"event: trace\ndata: " + orjson.dumps(record) + b"\n\n"
    _encoded[id(record)] = (record, event)
    return event

"""`GET /v1/usage?group_by=day,account,model,key&since=7d`, behind the local key:
tokens (by kind), requests, errors and cost from the usage ledger, which outlives
purged traces; from this process's traces when they are kept in memory only."""

from __future__ import annotations

from starlette.requests import Request as HttpRequest
from starlette.responses import Response

from dragoman.observe.traces.filters import UsageQuery, usage_of_records
from dragoman.server.admin.common import json, parameters, tracer_of


async def usage(http: HttpRequest) -> Response:
    query = parameters(http, UsageQuery)
    tracer = tracer_of(http)
    store = tracer.store()
    if store is None:
        return json({"group_by": query.group_by, "usage": usage_of_records(tracer.ring.records(), query)})
    from dragoman.observe.traces.query import usage as ledger_usage

    await tracer.flush()
    return json({"group_by": query.group_by, "usage": await ledger_usage(await store.engine(), query)})

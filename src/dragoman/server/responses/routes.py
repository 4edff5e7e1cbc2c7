"""The Responses endpoints that keep state: `POST /v1/responses` (stored unless `store`
is false, continued by `previous_response_id`, run in the background), and
`GET|DELETE /v1/responses/{id}`, `POST .../cancel`, `GET .../input_items`.

A stored response belongs to the local key that made it: another key is told it does
not exist. The request path reads the database only for a `previous_response_id`,
and writes nothing to it (`keeper`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from starlette.requests import Request as HttpRequest
from starlette.responses import JSONResponse, Response

from dragoman import dialects
from dragoman.dialects import Dialect
from dragoman.ir.errors import InvalidRequest, NotFound
from dragoman.ir.request import Request
from dragoman.pools.sessions import SessionKey
from dragoman.server import local_auth
from dragoman.server.body import read_json
from dragoman.server.exchange import Exchange, exchange_of
from dragoman.server.gateway import Gateway
from dragoman.server.relay import SessionOf, relay
from dragoman.server.responses import background, compaction
from dragoman.server.responses.capture import Keeping, keeping_dialect
from dragoman.server.responses.conversation import continuation, input_items
from dragoman.server.responses.keeper import Keeper
from dragoman.store.stored_response import StoredResponse

RESPONSES = "openai_responses"
# How a request's conversation is found (`routes._session`): from the request, its body, its dialect.
SessionFinder = Callable[[HttpRequest, object, str], SessionKey | None]
PAGE_DEFAULT, PAGE_MAX = 20, 100


def create(session: SessionFinder) -> Callable[[HttpRequest], Awaitable[Response]]:
    """The `POST /v1/responses` handler; `session(http, body, dialect)` tells a request's
    conversation (`routes._session`)."""

    async def handler(http: HttpRequest) -> Response:
        gateway: Gateway = http.app.state.gateway
        exchange = exchange_of(http.scope)
        exchange.traced = True
        body = await read_json(http, gateway.settings.max_body_bytes)
        if compaction.triggered(body):
            return await compaction.answer_trigger(http, body, session)
        keeper = gateway.responses
        client = dialects.get(RESPONSES)
        if keeper is None or not isinstance(body, dict) or not _stateful(body):
            # `store: false` and no continuation (Codex): nothing kept, nothing read.
            request = client.request.parse(body)
            return await _relay(http, gateway, client, request, exchange, body, session)
        keeping = Keeping(keeper, exchange, input_items(body.get("input")), body.get("instructions"))
        parsed = body
        if isinstance(body.get("previous_response_id"), str):
            going = await continuation(gateway, keeper, body, exchange.key or "")
            keeping.previous, parsed = going.previous, going.body
        request = client.request.parse(parsed)
        if body.get("background") is True:
            background.check_background(body)
            queued = background.start_run(gateway, client, request, keeping)
            assert gateway.responses is not None  # start_run's own precondition
            await gateway.responses.written()  # its id outlives a crash once its client has it
            return JSONResponse(queued)
        if body.get("store") is not False:
            client = keeping_dialect(client, keeping)
        elif keeping.previous is not None:
            client = keeping_dialect(client, Keeping(None, exchange, [], None, keeping.previous))
        return await _relay(http, gateway, client, request, exchange, body, session)

    return handler


def _stateful(body: dict[str, Any]) -> bool:
    kept = body.get("store") is not False or body.get("background") is True
    return kept or body.get("previous_response_id") is not None


async def _relay(
    http: HttpRequest,
    gateway: Gateway,
    client: Dialect,
    request: Request,
    exchange: Exchange,
    body: object,
    session: SessionFinder,
) -> Response:
    session_of: SessionOf = partial(session, http, body, RESPONSES)
    key = partial(local_auth.key_name, http)
    return await relay(gateway, client, request, exchange, http.headers, http.receive, session_of, key)


async def retrieve(http: HttpRequest) -> Response:
    stored = await _found(http)
    return JSONResponse(stored.response)


async def delete(http: HttpRequest) -> Response:
    stored = await _found(http)
    await background.cancel_run(http.app.state.gateway, stored.id)  # else its end would store it again
    await _keeper(http).delete(stored.id)
    return JSONResponse({"id": stored.id, "object": "response.deleted", "deleted": True})


async def cancel(http: HttpRequest) -> Response:
    stored = await _found(http)
    if not stored.response.get("background"):
        raise InvalidRequest("Only responses created with background=true can be cancelled.")
    await background.cancel_run(http.app.state.gateway, stored.id)
    return JSONResponse((await _found(http)).response)


async def input_item_list(http: HttpRequest) -> Response:
    stored = await _found(http)
    query = http.query_params
    limit = _limit(query.get("limit"))
    order = query.get("order", "desc")
    if order not in ("asc", "desc"):
        raise InvalidRequest("order: expected asc or desc", param="order")
    items = stored.input if order == "asc" else stored.input[::-1]
    page = _page(items, query.get("after"), query.get("before"), limit)
    return JSONResponse(
        {
            "object": "list",
            "data": page[:limit],
            "first_id": page[0]["id"] if page else None,
            "last_id": page[:limit][-1]["id"] if page else None,
            "has_more": len(page) > limit,
        }
    )


def _limit(value: str | None) -> int:
    if value is None:
        return PAGE_DEFAULT
    if not value.isdigit() or not 1 <= int(value) <= PAGE_MAX:
        raise InvalidRequest(f"limit: expected a whole number from 1 to {PAGE_MAX}", param="limit")
    return int(value)


def _page(
    items: list[dict[str, Any]], after: str | None, before: str | None, limit: int
) -> list[dict[str, Any]]:
    """The items after `after` and before `before` (ids, in the listing's order), one
    past `limit` when there are more."""
    ids = [item.get("id") for item in items]
    start = _index(ids, after, "after") + 1 if after else 0
    end = _index(ids, before, "before") if before else len(items)
    if before and not after:
        start = max(start, end - limit)  # the page just before `before`
    return items[start:end][: limit + 1]


def _index(ids: list[Any], wanted: str, param: str) -> int:
    if wanted not in ids:
        raise InvalidRequest(f"{param}: no input item has the id {wanted!r}", param=param)
    return ids.index(wanted)


async def _found(http: HttpRequest) -> StoredResponse:
    response_id = http.path_params["response_id"]
    stored = await _keeper(http).get(response_id)
    if stored is None or stored.key != (exchange_of(http.scope).key or ""):
        raise NotFound(f"Response with id '{response_id}' not found.", param="response_id")
    return stored


def _keeper(http: HttpRequest) -> Keeper:
    keeper: Keeper | None = http.app.state.gateway.responses
    if keeper is None:
        raise NotFound("dragoman keeps no responses here")
    return keeper

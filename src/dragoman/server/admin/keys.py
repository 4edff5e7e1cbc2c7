"""The keys' admin routes, behind an admin key like every admin route:

    GET    /v1/admin/keys                  {"keys": [key, ...]}
    POST   /v1/admin/keys                  {"name": "alice", "budget": "20usd/month", ...}
                                           -> key with its "secret" (shown this once)
    GET    /v1/admin/keys/{name}           key
    PATCH  /v1/admin/keys/{name}           {"rpm": 60, "budget": null, ...} -> key
    DELETE /v1/admin/keys/{name}           revoke -> key
    POST   /v1/admin/keys/{name}/rotate    -> key with its new "secret"

The options are those of `dragoman keys create` (`policy.key_options`); in a PATCH,
null unsets one. A key is shown as `server.admin.key_desk` draws it: never its secret
but when it is made, never its digest. A change is stored, served by this worker at
once and by every other within seconds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request as HttpRequest
from starlette.responses import Response

from dragoman.ir.errors import InvalidRequest
from dragoman.server.admin.common import json
from dragoman.server.admin.key_desk import KeyDesk
from dragoman.server.body import read_json
from dragoman.server.gateway import Gateway

if TYPE_CHECKING:
    from dragoman.store.db import Database
    from dragoman.store.key_store import KeyStore


async def listing(http: HttpRequest) -> Response:
    return json({"keys": await _desk(http).listing()})


async def one(http: HttpRequest) -> Response:
    return json(await _desk(http).one(http.path_params["name"]))


async def create(http: HttpRequest) -> Response:
    body = await _object(http, '{"name": "alice", "budget": "20usd/month"}')
    name = body.pop("name", None)
    if not isinstance(name, str):
        raise InvalidRequest('name the key: {"name": "alice", ...}')
    return json(await _desk(http).create(name, body), status=201)


async def update(http: HttpRequest) -> Response:
    changes = await _object(http, '{"rpm": 60}')
    return json(await _desk(http).update(http.path_params["name"], changes))


async def revoke(http: HttpRequest) -> Response:
    return json(await _desk(http).revoke(http.path_params["name"]))


async def rotate(http: HttpRequest) -> Response:
    return json(await _desk(http).rotate(http.path_params["name"]))


async def _object(http: HttpRequest, example: str) -> dict[str, Any]:
    gateway: Gateway = http.app.state.gateway
    parsed = await read_json(http, gateway.settings.max_body_bytes)
    if not isinstance(parsed, dict) or not parsed:
        raise InvalidRequest(f"send a JSON object of key options (e.g. {example})")
    return parsed


def _desk(http: HttpRequest) -> KeyDesk:
    gateway: Gateway = http.app.state.gateway
    assert gateway.accounts is not None and gateway.state is not None  # the app has started
    accounts = gateway.accounts

    async def store_of(writes: bool) -> KeyStore | None:
        database: Database | None = accounts.database
        if writes:
            database = await accounts.writable()
        elif database is None:
            await accounts.store()  # opens the database if it now holds something
            database = accounts.database
        from dragoman.store.key_store import KeyStore  # SQLAlchemy: only once asked

        return KeyStore(database.engine) if database is not None else None

    return KeyDesk(store_of, gateway.settings.time_zone, gateway.state.counters, gateway.keys_changed)

"""The admin routes, behind the local key like every other (`server.routes` guards them
and draws their errors as JSON `{"error": {"message": ..., "type": ...}}`):

    GET   /v1/admin/accounts                       {"accounts": [account, ...]}
    GET   /v1/admin/accounts/{label}               account
    PATCH /v1/admin/accounts/{label}               {"priority": 2, ...} -> account
    POST  /v1/admin/accounts/{label}/enable        -> account
    POST  /v1/admin/accounts/{label}/disable       -> account
    POST  /v1/admin/accounts/{label}/reset         -> account

An account is drawn by `server.admin.view`. A change is stored (every worker serves by
it within a few seconds, a restart keeps it) and applied in this process at once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import orjson
from starlette.requests import Request as HttpRequest
from starlette.responses import Response

from dragoman.server.admin.desk import AccountDesk
from dragoman.server.admin.patch import changes_of
from dragoman.server.body import read_json
from dragoman.server.gateway import Gateway
from dragoman.store.policies import PolicyOverride

ACTIONS = ("enable", "disable", "reset")


async def listing(http: HttpRequest) -> Response:
    return _json({"accounts": _desk(http).listing()})


async def one(http: HttpRequest) -> Response:
    return _json(_desk(http).one(http.path_params["label"]))


async def patch(http: HttpRequest) -> Response:
    gateway: Gateway = http.app.state.gateway
    changes = changes_of(await read_json(http, gateway.settings.max_body_bytes))
    return _json(await _desk(http).change(http.path_params["label"], changes))


def action(name: str) -> Callable[[HttpRequest], Awaitable[Response]]:
    """The handler of `POST .../{label}/<name>`, one of ACTIONS."""

    async def act(http: HttpRequest) -> Response:
        desk, label = _desk(http), http.path_params["label"]
        if name == "reset":
            return _json(await desk.reset(label))
        return _json(await desk.change(label, {"enabled": name == "enable"}))

    return act


def _desk(http: HttpRequest) -> AccountDesk:
    gateway: Gateway = http.app.state.gateway
    assert gateway.state is not None  # the app has started

    async def save(label: str, changes: Mapping[str, Any]) -> Mapping[str, PolicyOverride]:
        await gateway.change_policy(label, changes)
        return gateway.overrides

    return AccountDesk(gateway.registry, gateway.state, gateway.overrides, save, logins=gateway.client_logins)


def _json(value: object) -> Response:
    return Response(orjson.dumps(value), media_type="application/json")

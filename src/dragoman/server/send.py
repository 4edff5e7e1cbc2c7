"""Sending a prepared request upstream, with a subscription account's fresh token.

For an API-key upstream this is prepare-then-send. For a subscription login the token
is made fresh first (refreshed before it expires, one-time setup done); if the
upstream still answers 401, nothing has reached the client yet, so the token is
refreshed once (unless another request or process already did) and the request sent
again. The usage windows in the answer's headers are noted for `dragoman status`, and
for a login the client brings (`auth = "client"`), under a digest of its token.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AsyncExitStack

from dragoman.ir import Request
from dragoman.ir.errors import UpstreamError
from dragoman.providers.http import UpstreamResponse
from dragoman.routing.registry import Route
from dragoman.server.gateway import Gateway
from dragoman.server.upstream_call import UpstreamCall, prepare
from dragoman.store.accounts import Account


async def send(
    gateway: Gateway,
    route: Route,
    request: Request,
    exits: AsyncExitStack,
    client_headers: Mapping[str, str] | None = None,
) -> tuple[UpstreamCall, UpstreamResponse]:
    """The call made and the upstream's response (headers read, body not yet); its
    connection is released when `exits` closes."""
    account = await login_of(gateway, route)
    call = prepare(route, request, client_headers, account)
    response = await _post(gateway, route, call)
    if account is not None and response.status_code in _refusals(route):
        await response.aclose()  # the refused answer is dropped unread
        assert gateway.auth is not None
        account = await gateway.auth.recover(account.id, account.access_token)
        call = prepare(route, request, client_headers, account)
        response = await _post(gateway, route, call)
    exits.push_async_callback(response.aclose)
    if account is not None and gateway.auth is not None:
        gateway.auth.observe(route.upstream, response.headers)
    if route.upstream.client_auth and gateway.client_logins is not None:
        gateway.client_logins.observe(route.upstream.name, call.headers["authorization"], response.headers)
    return call, response


def _refusals(route: Route) -> tuple[int, ...]:
    runtime = route.upstream.spec.runtime
    return runtime.refused_statuses if runtime is not None else (401,)


async def login_of(gateway: Gateway, route: Route) -> Account | None:
    """The route's subscription account with a fresh token, or None for a key upstream."""
    upstream = route.upstream
    if upstream.account_id is None:
        return None
    if gateway.auth is None:
        raise UpstreamError(f"{upstream.name} is a subscription login, and the database is not open")
    return await gateway.auth.ready(upstream, gateway.clients.client(upstream))


async def _post(gateway: Gateway, route: Route, call: UpstreamCall) -> UpstreamResponse:
    return await gateway.clients.open(
        route.upstream, "POST", call.url, content=call.content, headers=call.headers
    )

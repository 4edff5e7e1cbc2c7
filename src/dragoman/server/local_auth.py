"""The gateway's own key check, in every dialect's convention.

A client may present its key as `Authorization: Bearer`, `x-api-key`,
`x-goog-api-key` or `?key=`: whatever its SDK sends. Keys are found by digest in the
`KeyRing` (`dragoman.policy.keys`): admin keys from the config, named keys from the
store. The key found is the request's: its name goes on the Exchange (traces, the
ledger, session scopes, routing rules) and its policy is what limits the request.

The dashboard's JSON routes (COOKIE_PATHS) also take its session cookie instead of a
key (`server.ui_session`); a call that changes something must then pass the CSRF check.
Without keys (loopback only), a change sent by a browser page must come from the
dashboard itself: any site the user visits could otherwise post to 127.0.0.1.
"""

from __future__ import annotations

import time

from starlette.requests import HTTPConnection

from dragoman.ir.errors import AuthenticationFailed, PermissionDenied
from dragoman.policy.keys import KeyRing, LocalKey
from dragoman.policy.quantities import when
from dragoman.server import ui_session
from dragoman.server.exchange import exchange_of

# Where a client whose Authorization is taken by its own login sends dragoman's key.
LOCAL_KEY_HEADER = "x-dragoman-key"
# The routes the dashboard calls from the browser: the only ones its cookie opens.
COOKIE_PATHS = ("/v1/admin/", "/v1/traces", "/v1/usage", "/v1/models")
# The routes only an admin key opens (a named key gets 403): the admin API, traces,
# usage, metrics, the accounts' status and token refresh, the OpenAPI description.
# (The dashboard's login takes admin keys only: `observe.web.routes`.)
ADMIN_PATHS = (
    "/v1/admin/",
    "/v1/traces",
    "/v1/usage",
    "/metrics",
    "/v1/status",
    "/v1/auth/",
    "/openapi.json",
)


# The routes whose `key` query parameter names a key to filter by (`?key=alice`), not
# the key the caller presents: taken for one, it made a loopback caller with no admin
# key (the admin routes open) a 401 for an unknown key.
KEY_FILTER_PATHS = ("/v1/traces", "/v1/usage")


def presented_key(connection: HTTPConnection) -> str | None:
    """The local key the client sent. `x-dragoman-key` comes first: a client whose
    Authorization carries its own Claude login (`auth = "client"`) sends ours there."""
    headers = connection.headers
    own = headers.get(LOCAL_KEY_HEADER)
    if own:
        return own.strip()
    authorization = headers.get("authorization", "")
    if authorization[:7].lower() == "bearer ":
        return authorization[7:].strip()
    found = headers.get("x-api-key") or headers.get("x-goog-api-key")
    if found or connection.url.path.startswith(KEY_FILTER_PATHS):
        return found
    return connection.query_params.get("key")


def check(connection: HTTPConnection, ring: KeyRing) -> LocalKey | None:
    """The key the connection carries, named on its Exchange; AuthenticationFailed
    when it carries none, an unknown one or an expired one, PermissionDenied when a
    named key asks an admin route. None: no key needed (a gateway without keys, an
    admin route of a gateway without admin keys, or the dashboard's session cookie).

    With no keys at all every request passes: `dragoman serve` refuses to listen
    beyond loopback in that case. With named keys but no admin key, the model routes
    need a key (a limit anyone could pass by sending none is no limit) while the admin
    routes stay open to loopback as before: whoever made the keys keeps the admin API.
    """
    if not ring:
        _page_of_this_origin(connection)
        return None
    key = presented_key(connection)
    admin_route = connection.scope["path"].startswith(ADMIN_PATHS)
    if key is None and _session_passes(connection):
        return None
    if key is None and admin_route and not ring.has_admin_keys:
        _page_of_this_origin(connection)
        return None
    if key is None:
        raise AuthenticationFailed(
            "missing API key: send one of the keys given to `dragoman serve --api-key` or made by "
            "`dragoman keys create` (as Authorization: Bearer, x-api-key, x-goog-api-key, "
            "x-dragoman-key or ?key=)"
        )
    found = _valid(ring, key)
    if admin_route and not found.admin:
        raise PermissionDenied(f"key {found.name} is not an admin key: it opens the model routes only")
    exchange = exchange_of(connection.scope)
    exchange.local_key, exchange.key = found, found.name
    return found


def _valid(ring: KeyRing, key: str) -> LocalKey:
    found = ring.find(key)
    if found is None:
        raise AuthenticationFailed("invalid API key: it matches none of the keys this dragoman accepts")
    if found.expires is not None and found.expired(time.time()):
        raise AuthenticationFailed(f"key {found.name} expired at {when(found.expires)}")
    return found


def _page_of_this_origin(connection: HTTPConnection) -> None:
    """A gateway without keys trusts its loopback clients, not every page their browser
    opens: a change to an admin route sent by a page must come from the dashboard's own
    origin under a loopback name (another site's form, or DNS rebinding, is refused)."""
    if connection.scope.get("method") in ui_session.SAFE_METHODS:
        return
    if not connection.scope["path"].startswith(COOKIE_PATHS) or not ui_session.from_a_page(connection):
        return
    if not (ui_session.same_origin(connection) and ui_session.loopback_host(connection)):
        raise PermissionDenied("refused: a page of another origin may not change this dragoman")


def _session_passes(connection: HTTPConnection) -> bool:
    """A dashboard route called with a valid session cookie; PermissionDenied if the
    call changes something and fails the CSRF check."""
    sessions: ui_session.UiSessions | None = getattr(connection.app.state, "ui_sessions", None)
    cookie = ui_session.cookie_of(connection)
    path = connection.scope["path"]
    if sessions is None or not path.startswith(COOKIE_PATHS) or not sessions.valid(cookie):
        return False
    assert cookie is not None  # a valid one
    if connection.scope.get("method") not in ui_session.SAFE_METHODS and not sessions.csrf_passes(
        connection, cookie
    ):
        raise PermissionDenied("refused: a dashboard call that changes something needs its CSRF token")
    return True


def key_name(connection: HTTPConnection) -> str:
    """The name of the key this (already checked) connection presented; "-" when none
    was needed."""
    return exchange_of(connection.scope).key or "-"

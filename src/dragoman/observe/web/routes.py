"""The dashboard's own routes: the page, its assets, and the login that gives the cookie.

    GET  /ui, /ui/...       the one page (static/index.html); its script draws the view
                            the path names, from the JSON admin routes
    GET  /ui/static/...     its scripts and styles, shipped in the package
    GET  /ui/session        {"auth": "open" | "cookie", "csrf": token}; a 401 to log in
    POST /ui/login          {"key": "..."}: a right key gets the session cookie (204)
    POST /ui/logout         the cookie cleared

No data goes through here: the page reads and changes everything through the same
routes scripts use (`/v1/admin/...`, `/v1/traces...`, `/v1/usage`, `/v1/models`).
"""

from __future__ import annotations

import hmac
from pathlib import Path
from typing import Any

import orjson
from starlette.requests import Request as HttpRequest
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from dragoman.server import ui_session

STATIC = Path(__file__).parent / "static"
# Everything the page loads comes from here; no inline script, no other origin.
SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "cache-control": "no-store",
}
LOGIN_BODY_MAX = 4096


class Assets(StaticFiles):
    """The page's files, revalidated on every load (`no-cache`: a 304 when unchanged),
    so an upgraded dragoman never runs with the scripts of the last version."""

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers["cache-control"] = "no-cache"
        response.headers["x-content-type-options"] = "nosniff"
        return response


def routes() -> list[BaseRoute]:
    return [
        Route("/ui/session", session, methods=["GET"]),
        Route("/ui/login", login, methods=["POST"]),
        Route("/ui/logout", logout, methods=["POST"]),
        Mount("/ui/static", app=Assets(directory=STATIC), name="ui-static"),
        Route("/ui", page, methods=["GET"]),
        Route("/ui/{view:path}", page, methods=["GET"]),
    ]


async def page(http: HttpRequest) -> Response:
    return Response((STATIC / "index.html").read_bytes(), media_type="text/html", headers=SECURITY_HEADERS)


async def session(http: HttpRequest) -> Response:
    """How the page is authenticated, and its CSRF token; a 401 when it must log in."""
    if not http.app.state.local_keys:
        return _json({"auth": "open", "csrf": None})
    sessions = _sessions(http)
    cookie = ui_session.cookie_of(http)
    if cookie is None or not sessions.valid(cookie):
        return _error(401, "log in with one of this dragoman's local keys")
    return _json({"auth": "cookie", "csrf": sessions.csrf(cookie)})


def _refused_key(http: HttpRequest, key: bytes | None) -> Response:
    """A named key opens the model routes only; any other is wrong."""
    named = http.app.state.key_ring.find(key.decode(errors="replace")) if key is not None else None
    if named is not None:
        return _error(403, f"key {named.name} is not an admin key: the dashboard takes an admin key")
    return _error(401, "wrong key: it matches none of the keys this dragoman accepts")


async def login(http: HttpRequest) -> Response:
    """The key, posted by the login form of this origin, exchanged for the cookie."""
    if not ui_session.same_origin(http):
        return _error(403, "log in from the dashboard's own page")
    body = await http.body()
    key = _posted_key(body) if len(body) <= LOGIN_BODY_MAX else None
    keys: list[bytes] = http.app.state.local_keys
    matched = next((known for known in keys if key is not None and hmac.compare_digest(key, known)), None)
    if matched is None:
        return _refused_key(http, key)
    response = Response(status_code=204, headers={"cache-control": "no-store"})
    response.set_cookie(
        ui_session.COOKIE,
        _sessions(http).issue(matched),
        max_age=ui_session.LIFETIME,
        path="/",
        secure=http.url.scheme == "https",
        httponly=True,
        samesite="strict",
    )
    return response


async def logout(http: HttpRequest) -> Response:
    if not ui_session.same_origin(http):
        return _error(403, "log out from the dashboard's own page")
    response = Response(status_code=204)
    response.delete_cookie(ui_session.COOKIE, path="/", httponly=True, samesite="strict")
    return response


def _posted_key(body: bytes) -> bytes | None:
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    key = parsed.get("key") if isinstance(parsed, dict) else None
    return key.encode() if isinstance(key, str) and key else None


def _sessions(http: HttpRequest) -> ui_session.UiSessions:
    sessions: ui_session.UiSessions = http.app.state.ui_sessions
    return sessions


def _json(value: object, status: int = 200) -> Response:
    return Response(orjson.dumps(value), status_code=status, media_type="application/json")


def _error(status: int, message: str) -> Response:
    kind = "authentication_error" if status == 401 else "permission_error"
    return _json({"error": {"message": message, "type": kind}}, status)

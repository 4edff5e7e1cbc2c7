"""A fake Cursor: its login page, login poll, token refresh and Agent API endpoint on
one server (runtimes.md §3g, Cursor), written from those notes, not from dragoman's code.

    cursor = CursorFake().start()
    cursor.settings()          # the [oauth.cursor] table pointing dragoman here

Login: `GET /loginDeepControl?challenge=..&uuid=..&mode=login&redirectTarget=cli` is the
page a user finishes in the browser; it marks the UUID's login done. `GET
/auth/poll?uuid=..&verifier=..` answers 404 while a login is pending (and for
`pending_polls` more polls after, as a slow browser would; `poll_failures` are
answered first, whatever the state), then 200 `{accessToken,
refreshToken, authId}` once, if the verifier's S256 is the page's challenge (else 403).
Tokens are unsigned JWTs with `sub` and `exp`, the access token given as
`userId::JWT` when `prefixed`.

Refresh: `POST /oauth/token`, JSON `{client_id, grant_type: "refresh_token",
refresh_token}`: a new access token (`access_token`, `shouldLogout: false`); an unknown
refresh token is 401 `{"error": "invalid_grant"}`; `logout` set answers `shouldLogout: true`.

Models: `POST /agent.v1.AgentService/GetUsableModels`, a Connect unary call
(connectrpc.com/docs/protocol): the request must be `application/proto` with
`connect-protocol-version: 1` and a GetUsableModelsRequest body, and the bearer one of
the fake's access tokens; the answer is the GetUsableModelsResponse of `models`, raw
protobuf built by Google's library (`cursor_proto.py`). Refusals are Connect's unary
errors: JSON `{"code", "message"}` with the code's HTTP status (401 `unauthenticated`
for an unknown token, 415 `unknown` for another content type, 400 `invalid_argument`
for a body that is no request). Each call is recorded in `list_requests`.

Agent API: `POST /agent.v1.AgentService/Run` is recorded and answered with a Connect
end-of-stream trailer `unimplemented`: dragoman must never reach it.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import struct
import time
from typing import Any

import orjson
from google.protobuf.message import DecodeError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.cursor_proto import model_details, read_request, usable_models
from tests.fakes.server import FakeServer
from tests.secret_scan.registry import register

CLIENT_ID = "KbZUR41cY7W6zRSdpSUJ7I7mLYBKOCmB"
USER_ID = "user_01JFAKECURSORUSER0000000"
SUBJECT = f"auth0|{USER_ID}"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(claims: dict[str, Any]) -> str:
    """An unsigned JWT (dragoman only reads its claims)."""
    header = _b64(orjson.dumps({"alg": "HS256", "typ": "JWT"}))
    return f"{header}.{_b64(orjson.dumps(claims))}.{_b64(secrets.token_bytes(32))}"


class CursorFake:
    def __init__(self) -> None:
        self.lifetime = 3600.0
        self.pending_polls = 2
        self.prefixed = True
        self.logout = False
        # Statuses the poll answers first, whatever the login's state (a busy Cursor).
        self.poll_failures: list[int] = []
        self.challenges: dict[str, str] = {}  # uuid -> challenge of a finished login page
        self.polls: list[dict[str, str]] = []
        self.access_tokens: set[str] = set()
        self.refresh_tokens: set[str] = set()
        self.refreshes: list[dict[str, Any]] = []
        self.agent_requests = 0
        # GetUsableModels' answer, in order (ModelDetails messages).
        self.models = [
            model_details("default", "Auto"),
            model_details("composer-1", "Composer 1"),
            model_details("claude-4.5-sonnet-thinking", "Claude 4.5 Sonnet Thinking", thinking=True),
            model_details("gpt-5", "GPT-5", thinking=True),
        ]
        self.list_requests: list[dict[str, str]] = []  # each call's headers
        self.app = Starlette(
            routes=[
                Route("/loginDeepControl", self._page, methods=["GET"]),
                Route("/auth/poll", self._poll, methods=["GET"]),
                Route("/oauth/token", self._refresh, methods=["POST"]),
                Route("/agent.v1.AgentService/GetUsableModels", self._usable_models, methods=["POST"]),
                Route("/agent.v1.AgentService/Run", self._agent, methods=["POST"]),
            ]
        )
        self._server: FakeServer | None = None

    def start(self) -> CursorFake:
        self._server = FakeServer(self.app).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    @property
    def url(self) -> str:
        assert self._server is not None, "the Cursor fake is not running"
        return self._server.url

    def settings(self) -> dict[str, Any]:
        return {
            "cursor": {
                "authorize_url": f"{self.url}/loginDeepControl",
                "device_token_url": f"{self.url}/auth/poll",
                "token_url": f"{self.url}/oauth/token",
                "base_url": self.url,
            }
        }

    def new_access(self) -> str:
        token = jwt({"sub": SUBJECT, "exp": int(time.time() + self.lifetime), "type": "session"})
        register(token, "a fake Cursor access token")
        self.access_tokens.add(token)
        return token

    def new_tokens(self) -> dict[str, Any]:
        """A finished login's poll answer."""
        access, refresh = self.new_access(), jwt({"sub": SUBJECT, "type": "refresh"})
        register(refresh, "a fake Cursor refresh token")
        self.refresh_tokens.add(refresh)
        shown = f"{USER_ID}::{access}" if self.prefixed else access
        return {"accessToken": shown, "refreshToken": refresh, "authId": SUBJECT}

    async def _page(self, request: Request) -> Response:
        query = request.query_params
        if query.get("mode") != "login" or not query.get("uuid") or not query.get("challenge"):
            return JSONResponse({"error": "bad login link"}, status_code=400)
        self.challenges[query["uuid"]] = query["challenge"]
        return Response("You are logged in to Cursor. You can close this page.", media_type="text/plain")

    async def _poll(self, request: Request) -> Response:
        query = dict(request.query_params)
        self.polls.append(query)
        if self.poll_failures:
            status = self.poll_failures.pop(0)
            return JSONResponse({"error": "busy"}, status_code=status)
        challenge = self.challenges.get(query.get("uuid", ""))
        if challenge is None:
            return Response(status_code=404)
        if self.pending_polls > 0:
            self.pending_polls -= 1
            return Response(status_code=404)
        digest = _b64(hashlib.sha256(query.get("verifier", "").encode()).digest())
        if digest != challenge:
            return JSONResponse({"error": "verifier does not match the challenge"}, status_code=403)
        del self.challenges[query["uuid"]]
        return JSONResponse(self.new_tokens())

    async def _refresh(self, request: Request) -> Response:
        body = orjson.loads(await request.body())
        self.refreshes.append(body)
        if body.get("client_id") != CLIENT_ID or body.get("grant_type") != "refresh_token":
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        if body.get("refresh_token") not in self.refresh_tokens:
            return JSONResponse({"error": "invalid_grant"}, status_code=401)
        if self.logout:
            return JSONResponse({"access_token": "", "id_token": "", "shouldLogout": True})
        access = self.new_access()
        return JSONResponse({"access_token": access, "id_token": access, "shouldLogout": False})

    async def _usable_models(self, request: Request) -> Response:
        self.list_requests.append(dict(request.headers))
        body = await request.body()
        if request.headers.get("content-type") != "application/proto":
            return _connect_error("unknown", "unsupported content type", 415)
        if request.headers.get("connect-protocol-version") != "1":
            return _connect_error("invalid_argument", "missing connect-protocol-version header", 400)
        if request.headers.get("authorization", "").removeprefix("Bearer ") not in self.access_tokens:
            return _connect_error("unauthenticated", "Not logged in", 401)
        try:
            read_request(body)
        except DecodeError:
            return _connect_error("invalid_argument", "the request is not a GetUsableModelsRequest", 400)
        return Response(usable_models(self.models), media_type="application/proto")

    async def _agent(self, request: Request) -> Response:
        self.agent_requests += 1
        trailer = orjson.dumps({"error": {"code": "unimplemented", "message": "not in this fake"}})
        frame = struct.pack(">BI", 0x02, len(trailer)) + trailer
        return Response(frame, media_type="application/connect+proto")


def _connect_error(code: str, message: str, status: int) -> Response:
    """A Connect unary error: JSON, with the HTTP status of its code."""
    return JSONResponse({"code": code, "message": message}, status_code=status)

"""A fake OAuth server, written from the RFCs and oauth.md, not from dragoman's auth code.

    oauth = FakeOAuth(client_id="app_x").start()     # oauth.url -> http://127.0.0.1:PORT
    oauth.user = User(email="alice@example.com", account_id="acct-alice", plan="plus")

Endpoints: `GET /oauth/authorize` (checks the client, PKCE S256 and a state, then
redirects to the redirect URI with a code: the user "consents" at once), `POST
/oauth/token` (authorization_code with PKCE, refresh_token, RFC 8628 device_code),
`POST /oauth/revoke`, `POST /oauth/device/code` (RFC 8628) and OpenAI's device variant
(`/api/accounts/deviceauth/usercode` and `/token`).

Access and id tokens are unsigned JWTs carrying `exp` and the user's claims (OpenAI's
`https://api.openai.com/auth` namespace included), valid for `lifetime` seconds.
Refresh tokens rotate: each works once, and a reused one is refused with
`refresh_token_reused` (counted in `reuses`). `refreshes` counts successful refreshes.
"""

from __future__ import annotations

import asyncio
import base64
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from tests.fakes.device import DeviceEndpoints, form_of, s256
from tests.fakes.server import FakeServer
from tests.secret_scan.registry import register

AUTH_CLAIM = "https://api.openai.com/auth"
PROFILE_CLAIM = "https://api.openai.com/profile"


@dataclass(slots=True)
class User:
    email: str = "alice@example.com"
    account_id: str = "acct-alice"
    plan: str = "plus"
    sub: str = field(default_factory=lambda: "user-" + secrets.token_hex(4))


@dataclass(slots=True)
class Grant:
    """An authorization code and what it was issued for."""

    client_id: str
    redirect_uri: str
    challenge: str | None
    user: User
    used: bool = False


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned_jwt(claims: dict[str, Any]) -> str:
    header = b64url(orjson.dumps({"alg": "none", "typ": "JWT"}))
    return f"{header}.{b64url(orjson.dumps(claims))}.{b64url(secrets.token_bytes(16))}"


class FakeOAuth:
    def __init__(
        self,
        client_id: str = "fake-client",
        *,
        token_format: str = "form",
        lifetime: float = 3600.0,
        rotate: bool = True,
        client_secret: str | None = None,
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        register(client_secret, "a fake OAuth client secret")
        self.token_format = token_format
        self.lifetime = lifetime
        self.rotate = rotate
        self.user = User()
        self.refresh_delay = 0.0  # seconds a refresh takes (widens race windows)
        # Set once a refresh is under way; a refresh waits for refresh_gate when one is
        # given, so a test can order events around it without timing them in seconds.
        self.refresh_arrived = threading.Event()
        self.refresh_gate: threading.Event | None = None
        # (status, JSON body) every refresh is answered with, its token left unspent.
        self.refresh_failure: tuple[int, dict[str, Any]] | None = None
        self.refreshes = 0
        self.reuses = 0
        self.revoked: list[str] = []
        self.token_requests: list[dict[str, Any]] = []
        self.authorize_requests: list[dict[str, str]] = []
        self.grants: dict[str, Grant] = {}
        self.access: dict[str, tuple[User, float]] = {}
        self.refresh_tokens: dict[str, tuple[User, bool]] = {}  # token -> (user, spent)
        self._lock = threading.Lock()
        self.device = DeviceEndpoints(self)
        self.app = Starlette(routes=[*self._routes(), *self.device.routes()])
        self._server: FakeServer | None = None

    # -- serving -------------------------------------------------------------------------

    def start(self) -> FakeOAuth:
        self._server = FakeServer(self.app).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    @property
    def url(self) -> str:
        assert self._server is not None, "the fake OAuth server is not running"
        return self._server.url

    def __enter__(self) -> FakeOAuth:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def overrides(self) -> dict[str, Any]:
        """The `[oauth.<kind>]` table pointing a kind's OAuth URLs here."""
        return {
            "authorize_url": f"{self.url}/oauth/authorize",
            "token_url": f"{self.url}/oauth/token",
            "revoke_url": f"{self.url}/oauth/revoke",
            "device_url": f"{self.url}/oauth/device/code",
        }

    # -- tokens --------------------------------------------------------------------------

    def issue(self, user: User, *, with_refresh: bool = True) -> dict[str, Any]:
        """A token response for `user`, remembering what it issued."""
        now = time.time()
        claims = {
            "iss": self.url if self._server else "fake",
            "sub": user.sub,
            "iat": int(now),
            "exp": int(now + self.lifetime),
            "jti": secrets.token_hex(8),
            AUTH_CLAIM: {"chatgpt_account_id": user.account_id, "chatgpt_plan_type": user.plan},
            PROFILE_CLAIM: {"email": user.email},
        }
        access = unsigned_jwt({**claims, "aud": "api"})
        id_token = unsigned_jwt({**claims, "aud": self.client_id, "email": user.email})
        answer: dict[str, Any] = {
            "access_token": access,
            "id_token": id_token,
            "token_type": "Bearer",
            "expires_in": int(self.lifetime),
            "scope": "openid profile email offline_access",
        }
        with self._lock:
            self.access[access] = (user, now + self.lifetime)
            if with_refresh:
                answer["refresh_token"] = "rt_" + secrets.token_urlsafe(24)
                self.refresh_tokens[answer["refresh_token"]] = (user, False)
        for name in ("access_token", "id_token", "refresh_token"):
            register(answer.get(name), f"a {name} the fake OAuth server issued")
        return answer

    def user_for(self, access_token: str) -> User | None:
        """The user an access token stands for, if it is known, unexpired and not revoked."""
        with self._lock:
            found = self.access.get(access_token)
        if found is None or found[1] <= time.time() or access_token in self.revoked:
            return None
        return found[0]

    def expire_access_tokens(self) -> None:
        """Every access token issued so far stops working (as after a server-side revoke)."""
        with self._lock:
            self.access = {token: (user, 0.0) for token, (user, _) in self.access.items()}

    def new_code(self, redirect_uri: str, challenge: str | None, user: User | None = None) -> str:
        # Not registered with the leak scan: single use, and in the browser's address bar by design.
        code = "code_" + secrets.token_urlsafe(16)
        self.grants[code] = Grant(self.client_id, redirect_uri, challenge, user or self.user)
        return code

    # -- endpoints -----------------------------------------------------------------------

    def _routes(self) -> list[Route]:
        return [
            Route("/oauth/authorize", self._authorize, methods=["GET"]),
            Route("/oauth/token", self._token, methods=["POST"]),
            Route("/oauth/revoke", self._revoke, methods=["POST"]),
        ]

    async def _authorize(self, request: Request) -> Response:
        params = dict(request.query_params)
        self.authorize_requests.append(params)
        problem = _authorize_problem(params, self.client_id)
        if problem:
            return JSONResponse({"error": "invalid_request", "error_description": problem}, status_code=400)
        code = self.new_code(params["redirect_uri"], params["code_challenge"])
        query = urlencode({"code": code, "state": params["state"]})
        return RedirectResponse(f"{params['redirect_uri']}?{query}", status_code=302)

    async def _token(self, request: Request) -> Response:
        form = await self.read_body(request)
        if isinstance(form, Response):
            return form
        self.token_requests.append(form)
        if form.get("client_id") != self.client_id:
            return oauth_error("invalid_client", "unknown client", 401)
        if self.client_secret is not None and form.get("client_secret") != self.client_secret:
            return oauth_error("invalid_client", "wrong client secret", 401)
        grant = form.get("grant_type")
        if grant == "authorization_code":
            return self._exchange(form)
        if grant == "refresh_token":
            return await self._refresh(form)
        if grant == "urn:ietf:params:oauth:grant-type:device_code":
            return self.device.poll_token(form)
        return oauth_error("unsupported_grant_type", f"grant_type {grant!r}")

    async def read_body(self, request: Request) -> dict[str, Any] | Response:
        """The token request's parameters, in the encoding this server takes."""
        kind = request.headers.get("content-type", "")
        wanted = "application/json" if self.token_format == "json" else "application/x-www-form-urlencoded"
        if not kind.startswith(wanted):
            return oauth_error("invalid_request", f"expected {wanted}, got {kind or 'nothing'}")
        if self.token_format == "json":
            body = orjson.loads(await request.body())
            return body if isinstance(body, dict) else oauth_error("invalid_request", "not an object")
        return await form_of(request)

    def _exchange(self, form: dict[str, Any]) -> Response:
        grant = self.grants.get(str(form.get("code")))
        if grant is None or grant.used:
            return oauth_error("invalid_grant", "unknown or used authorization code")
        grant.used = True
        if form.get("redirect_uri") != grant.redirect_uri:
            return oauth_error("invalid_grant", "redirect_uri does not match the authorize request")
        verifier = form.get("code_verifier")
        if grant.challenge is not None and (
            not isinstance(verifier, str) or s256(verifier) != grant.challenge
        ):
            return oauth_error("invalid_grant", "PKCE verification failed")
        return JSONResponse(self.issue(grant.user))

    async def _refresh(self, form: dict[str, Any]) -> Response:
        if self.refresh_failure is not None:
            status, body = self.refresh_failure
            return JSONResponse(body, status_code=status)
        token = str(form.get("refresh_token"))
        with self._lock:
            found = self.refresh_tokens.get(token)
            if found is not None and not found[1] and token not in self.revoked:
                self.refresh_tokens[token] = (found[0], self.rotate)
        if found is None or token in self.revoked:
            return oauth_error("invalid_grant", "unknown or revoked refresh token")
        if found[1]:
            self.reuses += 1
            return oauth_error("refresh_token_reused", "this refresh token was already used")
        self.refresh_arrived.set()
        if self.refresh_gate is not None:
            await asyncio.to_thread(self.refresh_gate.wait, 30)
        await asyncio.sleep(self.refresh_delay)
        self.refreshes += 1
        return JSONResponse(self.issue(found[0], with_refresh=self.rotate))

    async def _revoke(self, request: Request) -> Response:
        form = await form_of(request)
        if form.get("token"):
            self.revoked.append(str(form["token"]))
        return Response(status_code=200)


def _authorize_problem(params: dict[str, str], client_id: str) -> str | None:
    if params.get("response_type") != "code":
        return "response_type must be code"
    if params.get("client_id") != client_id:
        return "unknown client_id"
    if not params.get("redirect_uri"):
        return "redirect_uri is required"
    if not params.get("state"):
        return "state is required"
    if params.get("code_challenge_method") != "S256" or len(params.get("code_challenge", "")) != 43:
        return "PKCE S256 is required"
    return None


def oauth_error(code: str, description: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": code, "error_description": description}, status_code=status)

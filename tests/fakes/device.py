"""The fake OAuth server's device-code endpoints: RFC 8628 (`/oauth/device/code`, then
the device_code grant at the token endpoint) and OpenAI's variant (a user code from
`/api/accounts/deviceauth/usercode`; `/api/accounts/deviceauth/token` answers 403 until
the user confirms, then an authorization code with the server's own PKCE verifier).

A test confirms with `oauth.device.approve()` (every pending code) or denies with
`deny()`; `interval` is what the server asks clients to wait between polls.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

if TYPE_CHECKING:
    from tests.fakes.oauth import FakeOAuth, User

OPENAI_DEVICE_REDIRECT = "https://auth.openai.com/deviceauth/callback"


@dataclass(slots=True)
class Pending:
    user_code: str
    state: str = "pending"  # pending | approved | denied | spent
    user: User | None = None


class DeviceEndpoints:
    def __init__(self, oauth: FakeOAuth) -> None:
        self.oauth = oauth
        self.interval: float = 0.05
        # Confirm each code as soon as it is issued (as if the user were very quick).
        self.auto_approve = False
        self.codes: dict[str, Pending] = {}  # device_code or device_auth_id -> Pending
        self.polls = 0

    def routes(self) -> list[Route]:
        return [
            Route("/oauth/device/code", self._issue, methods=["POST"]),
            Route("/api/accounts/deviceauth/usercode", self._openai_issue, methods=["POST"]),
            Route("/api/accounts/deviceauth/token", self._openai_poll, methods=["POST"]),
        ]

    def approve(self) -> None:
        for pending in self.codes.values():
            if pending.state == "pending":
                pending.state, pending.user = "approved", self.oauth.user

    def deny(self) -> None:
        for pending in self.codes.values():
            pending.state = "denied"

    def _pending(self, user_code: str) -> Pending:
        if self.auto_approve:
            return Pending(user_code, "approved", self.oauth.user)
        return Pending(user_code)

    async def _issue(self, request: Request) -> Response:
        form = await form_of(request)
        if form.get("client_id") != self.oauth.client_id:
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        device_code, user_code = secrets.token_urlsafe(16), _user_code()
        self.codes[device_code] = self._pending(user_code)
        return JSONResponse(
            {
                "device_code": device_code,
                "user_code": user_code,
                "verification_uri": f"{self.oauth.url}/device",
                "verification_uri_complete": f"{self.oauth.url}/device?user_code={user_code}",
                "expires_in": 600,
                "interval": self.interval,
            }
        )

    def poll_token(self, form: dict[str, Any]) -> Response:
        self.polls += 1
        pending = self.codes.get(str(form.get("device_code")))
        if pending is None or pending.state == "spent":
            return JSONResponse({"error": "expired_token"}, status_code=400)
        if pending.state == "denied":
            return JSONResponse({"error": "access_denied"}, status_code=400)
        if pending.state == "pending":
            return JSONResponse({"error": "authorization_pending"}, status_code=400)
        pending.state = "spent"
        assert pending.user is not None
        return JSONResponse(self.oauth.issue(pending.user))

    async def _openai_issue(self, request: Request) -> Response:
        body = orjson.loads(await request.body() or b"null")
        if not isinstance(body, dict) or body.get("client_id") != self.oauth.client_id:
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        device_id, user_code = "deviceauth_" + secrets.token_hex(8), _user_code()
        self.codes[device_id] = self._pending(user_code)
        # OpenAI sends the interval as a string.
        return JSONResponse(
            {"device_auth_id": device_id, "user_code": user_code, "interval": str(self.interval)}
        )

    async def _openai_poll(self, request: Request) -> Response:
        self.polls += 1
        body = orjson.loads(await request.body() or b"null")
        pending = self.codes.get(str(body.get("device_auth_id"))) if isinstance(body, dict) else None
        if pending is None or body.get("user_code") != pending.user_code:
            return JSONResponse({"error": "unknown device login"}, status_code=404)
        if pending.state != "approved":
            return JSONResponse({"error": "pending"}, status_code=403)
        pending.state = "spent"
        verifier = secrets.token_urlsafe(48)
        challenge = s256(verifier)
        code = self.oauth.new_code(OPENAI_DEVICE_REDIRECT, challenge, pending.user)
        return JSONResponse(
            {"authorization_code": code, "code_challenge": challenge, "code_verifier": verifier}
        )


async def form_of(request: Request) -> dict[str, str]:
    """A form body's fields (parsed here: python-multipart is not a test dependency)."""
    return dict(parse_qsl((await request.body()).decode(), keep_blank_values=True))


def s256(verifier: str) -> str:
    """RFC 7636's S256 challenge of a verifier."""
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def _user_code() -> str:
    letters = "BCDFGHJKLMNPQRSTVWXZ"
    return (
        "".join(secrets.choice(letters) for _ in range(4))
        + "-"
        + "".join(secrets.choice(letters) for _ in range(4))
    )

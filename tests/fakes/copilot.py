"""A fake GitHub Copilot, GitHub's side and Copilot's on one server (oauth.md §7,
upstreams.md §9), written from those notes, not from dragoman's code.

    copilot = CopilotFake().start()
    copilot.settings()          # the [oauth.copilot] table pointing dragoman here

GitHub: `POST /login/device/code` and `POST /login/oauth/access_token` (the device flow;
GitHub answers 200 with `{"error": "authorization_pending"}` while the user has not
confirmed), `GET /copilot_internal/v2/token` (GitHub token in `Authorization: token`, a
Copilot token out, with `expires_at`, `refresh_in` and `endpoints.api` = this server),
`GET /copilot_internal/user` (the quota snapshots). 401 "Bad credentials" for an unknown
GitHub token, 404 "Not Found" for a user without Copilot, as GitHub's REST API answers.

Copilot: `/chat/completions`, `/responses` and `/v1/messages` are the dialect fakes'
own handlers (`chat`, `responses`, `anthropic`: script those), accepting only a live
Copilot token and the editor headers; `GET /models` lists `models` in Copilot's shape.
"""

from __future__ import annotations

import asyncio
import secrets
import threading
import time
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.fakes.anthropic import AnthropicFake
from tests.fakes.base import Fake, Rejected
from tests.fakes.device import form_of
from tests.fakes.openai_chat import OpenAIChatFake
from tests.fakes.openai_responses import OpenAIResponsesFake
from tests.fakes.script import RecordedRequest
from tests.fakes.server import FakeServer
from tests.secret_scan.registry import register

CLIENT_ID = "Iv1.b507a08c87ecfe98"
MODELS = ["gpt-4.1", "gpt-5", "gpt-5-codex", "claude-sonnet-4.5", "claude-opus-4.5", "gpt-4.1-copilot-only"]
NOT_FOUND = {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}
BAD_CREDENTIALS = {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"}
PROXY_EP = "proxy.individual.githubcopilot.com"
EDITOR_HEADERS = ("editor-version", "editor-plugin-version", "copilot-integration-id")


class CopilotFake:
    def __init__(self) -> None:
        self.lifetime = 1800.0  # seconds a Copilot token lives
        self.refresh_in = 1500.0  # when GitHub says to exchange again
        self.exchange_delay = 0.05  # an exchange takes this long (lets requests pile up)
        self.approved = False  # the user confirmed the device code
        self.subscribed = True  # the GitHub user has Copilot
        self.exchanges = 0
        self.polls = 0
        self.premium_remaining = 40.0
        self.github_tokens: set[str] = set()
        self.copilot_tokens: dict[str, float] = {}  # token -> expiry
        self.device_codes: set[str] = set()
        self.list_requests: list[str] = []  # the model lists served
        self._lock = threading.Lock()
        self.chat = _Chat(self, models=MODELS)
        self.responses = _Responses(self, models=MODELS)
        self.anthropic = _Anthropic(self, models=MODELS)
        self._server = FakeServer(Starlette(routes=self._routes()))

    # -- control -----------------------------------------------------------------------

    def start(self) -> CopilotFake:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    @property
    def url(self) -> str:
        return self._server.url

    def settings(self) -> dict[str, Any]:
        """The `[oauth.copilot]` table; no base_url: the exchange says where the API is."""
        return {
            "copilot": {
                "device_url": f"{self.url}/login/device/code",
                "token_url": f"{self.url}/login/oauth/access_token",
                "verification_url": f"{self.url}/login/device",
                "exchange_url": f"{self.url}/copilot_internal/v2/token",
                "quota_url": f"{self.url}/copilot_internal/user",
            }
        }

    def new_github_token(self) -> str:
        token = "ghu_" + secrets.token_hex(18)
        register(token, "the fake GitHub token")
        self.github_tokens.add(token)
        return token

    def expire_copilot_tokens(self) -> None:
        self.copilot_tokens.clear()

    def check_copilot(self, record: RecordedRequest) -> None:
        """What Copilot's API asks of every request: a live token and an editor."""
        scheme, _, token = (record.header("authorization") or "").partition(" ")
        expiry = self.copilot_tokens.get(token.strip()) if scheme.lower() == "bearer" else None
        if expiry is None or expiry <= time.time():
            raise Rejected("unauthorized: token expired", status=401)
        missing = [name for name in EDITOR_HEADERS if not record.header(name)]
        if missing:
            raise Rejected(f"missing required header: {missing[0]}", status=400)

    # -- GitHub ------------------------------------------------------------------------

    def _routes(self) -> list[Route]:
        return [
            Route("/login/device/code", self._device_code, methods=["POST"]),
            Route("/login/oauth/access_token", self._access_token, methods=["POST"]),
            Route("/copilot_internal/v2/token", self._exchange, methods=["GET"]),
            Route("/copilot_internal/user", self._user, methods=["GET"]),
            Route("/models", self._models, methods=["GET"]),
            _moved(self.chat, "/v1/chat/completions", "/chat/completions"),
            _moved(self.responses, "/v1/responses", "/responses"),
            _moved(self.anthropic, "/v1/messages", "/v1/messages"),
        ]

    async def _device_code(self, request: Request) -> Response:
        form = await _fields(request)
        if form.get("client_id") != CLIENT_ID:
            return JSONResponse({"error": "Not Found"}, status_code=404)
        code = secrets.token_hex(20)
        self.device_codes.add(code)
        return JSONResponse(
            {
                "device_code": code,
                "user_code": "WDJB-MJHT",
                "verification_uri": "https://github.com/login/device",
                "expires_in": 899,
                "interval": 0.05,
            }
        )

    async def _access_token(self, request: Request) -> Response:
        self.polls += 1
        form = await _fields(request)
        if form.get("grant_type") != "urn:ietf:params:oauth:grant-type:device_code":
            return JSONResponse({"error": "unsupported_grant_type"})
        if form.get("device_code") not in self.device_codes:
            return JSONResponse(
                {"error": "expired_token", "error_description": "The device code has expired."}
            )
        if not self.approved:
            # GitHub says "not yet" with a 200, not an error status.
            return JSONResponse({"error": "authorization_pending", "error_description": "pending"})
        self.device_codes.discard(str(form["device_code"]))
        return JSONResponse(
            {"access_token": self.new_github_token(), "token_type": "bearer", "scope": "read:user"}
        )

    async def _exchange(self, request: Request) -> Response:
        refused = self._github_user(request)
        if refused is not None:
            return refused
        await asyncio.sleep(self.exchange_delay)
        with self._lock:
            self.exchanges += 1
        expiry = int(time.time() + self.lifetime)
        token = f"tid={secrets.token_hex(16)};exp={expiry};sku=copilot_pro;proxy-ep={PROXY_EP}"
        register(token, "the fake Copilot token")
        expires_at = time.time() + self.lifetime
        self.copilot_tokens[token] = expires_at
        return JSONResponse(
            {
                "token": token,
                "expires_at": int(expires_at),
                "refresh_in": int(self.refresh_in),
                "endpoints": {"api": self.url, "proxy": "https://proxy.individual.githubcopilot.com"},
                "sku": "copilot_pro",
                "chat_enabled": True,
            }
        )

    async def _user(self, request: Request) -> Response:
        refused = self._github_user(request)
        if refused is not None:
            return refused
        snapshot = {"entitlement": 300, "remaining": int(3 * self.premium_remaining)}
        return JSONResponse(
            {
                "copilot_plan": "individual",
                "quota_reset_date": "2027-01-01",
                "quota_snapshots": {
                    "premium_interactions": {
                        **snapshot,
                        "percent_remaining": self.premium_remaining,
                        "unlimited": False,
                    },
                    "chat": {"entitlement": 0, "remaining": 0, "percent_remaining": 100.0, "unlimited": True},
                    "completions": {
                        "entitlement": 0,
                        "remaining": 0,
                        "percent_remaining": 100.0,
                        "unlimited": True,
                    },
                },
            }
        )

    def _github_user(self, request: Request) -> Response | None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "token" or token.strip() not in self.github_tokens:
            return JSONResponse(BAD_CREDENTIALS, status_code=401)
        return None if self.subscribed else JSONResponse(NOT_FOUND, status_code=404)

    async def _models(self, request: Request) -> Response:
        record = RecordedRequest(
            "GET", "/models", {}, {k.lower(): v for k, v in request.headers.items()}, b""
        )
        try:
            self.check_copilot(record)
        except Rejected as error:
            return JSONResponse({"error": {"message": error.message}}, status_code=error.status)
        self.list_requests.append("/models")
        data = [{"id": model, "object": "model", "vendor": _vendor(model)} for model in MODELS]
        return JSONResponse({"data": data, "object": "list"})


class _Chat(OpenAIChatFake):
    def __init__(self, copilot: CopilotFake, models: list[str]) -> None:
        self.copilot = copilot
        super().__init__(key="unused: Copilot tokens are the keys", models=models)

    def check_auth(self, record: RecordedRequest) -> None:
        self.copilot.check_copilot(record)


class _Responses(OpenAIResponsesFake):
    def __init__(self, copilot: CopilotFake, models: list[str]) -> None:
        self.copilot = copilot
        super().__init__(key="unused: Copilot tokens are the keys", models=models)

    def check_auth(self, record: RecordedRequest) -> None:
        self.copilot.check_copilot(record)


class _Anthropic(AnthropicFake):
    def __init__(self, copilot: CopilotFake, models: list[str]) -> None:
        self.copilot = copilot
        super().__init__(key="unused: Copilot tokens are the keys", models=models)

    def check_auth(self, record: RecordedRequest) -> None:
        self.copilot.check_copilot(record)
        if not record.header("anthropic-version"):
            raise Rejected("anthropic-version: header is required")


def _moved(fake: Fake, path: str, to: str) -> Route:
    """The dialect fake's handler for `path`, served at Copilot's `to`."""
    [route] = [route for route in fake.routes() if getattr(route, "path", None) == path]
    assert isinstance(route, Route)
    return Route(to, route.endpoint, methods=["POST"])


async def _fields(request: Request) -> dict[str, Any]:
    """A GitHub login body, sent as JSON or as a form."""
    if request.headers.get("content-type", "").startswith("application/json"):
        body = orjson.loads(await request.body() or b"{}")
        return body if isinstance(body, dict) else {}
    return await form_of(request)


def _vendor(model: str) -> str:
    return "Anthropic" if model.startswith("claude-") else "OpenAI"

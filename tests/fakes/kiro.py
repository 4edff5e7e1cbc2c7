"""A fake Kiro: its runtime, its auth service and AWS's SSO token endpoint on one server
(runtimes.md §3g, oauth.md §5, upstreams.md §7), written from those notes, not from
dragoman's code.

    kiro = KiroFake().start()
    kiro.settings()            # the [oauth.kiro] table pointing dragoman here

Runtime: `POST /generateAssistantResponse` answers a scripted Reply in the binary event
stream (`kiro_frames`), cut into chunks that ignore message boundaries; `GET
/getUsageLimits` the month's credits; `GET /ListAvailableModels` the account's models,
`list_page` a page, paged with an opaque `nextToken` (a login's list wants its profile).
It takes a live access token, or an API key with `tokentype: API_KEY`; anything else is
403 "The bearer token included in the request is invalid." Errors are Kiro's
`{"message", "__type"}` (402 `reason` for the spent limit).

Auth: `GET /signin` is the portal (it sends the browser back to the loopback with a code
and `login_option`), `POST /oauth/token` exchanges the code (PKCE checked, the exact
callback as `redirect_uri`), `POST /refreshToken` refreshes a social login (rotating its
refresh token), `POST /token` an AWS SSO one (camelCase, client id and secret checked).
AWS Builder ID's device login (oauth.md §5.2): `POST /client/register` registers a public
client, `POST /device_authorization` issues a user code, and `POST /token` with the
device_code grant answers `authorization_pending` `device_polls` times (`slow_down` once
if `slow`), then tokens without a profile (a Builder ID has none, and the runtime serves
its tokens without one); `device_denied` makes it `access_denied`.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import secrets
import time
from typing import Any, ClassVar
from urllib.parse import urlencode

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from tests.fakes.base import Fake, Rejected
from tests.fakes.kiro_frames import answer_frames, cut, event, exception
from tests.fakes.kiro_validate import validate
from tests.fakes.respond import Frames
from tests.fakes.script import Failure, RecordedRequest, Reply
from tests.secret_scan.registry import register

PROFILE_ARN = "arn:aws:codewhisperer:us-east-1:699475941385:profile/EHGA3GRVQMUK"
MODELS = ["auto", "claude-sonnet-4.5", "claude-sonnet-4", "claude-haiku-4.5", "claude-opus-4.5"]
INVALID_TOKEN = "The bearer token included in the request is invalid."
SUSPENDED = "Your User ID (d-9067642ac7.e8c1f3) temporarily is suspended. Please contact support."
LIMIT = "You have reached the limit."
EXCEPTIONS = {400: "ValidationException", 403: "AccessDeniedException", 429: "ThrottlingException"}
MEDIA_TYPE = "application/vnd.amazon.eventstream"


class KiroFake(Fake):
    dialect: ClassVar[str] = "kiro"
    api_prefix: ClassVar[str] = ""
    default_key: ClassVar[str] = "ksk_fake_kiro_api_key_0001"
    default_models: ClassVar[tuple[str, ...]] = tuple(MODELS)

    def __init__(self) -> None:
        self.lifetime = 3600.0
        self.access_tokens: dict[str, float] = {}
        self.refresh_tokens: set[str] = set()
        self.codes: dict[str, tuple[str, str]] = {}  # code -> (challenge, redirect_uri)
        self._page_tokens: dict[str, int] = {"": 0}  # a list's nextToken -> where its page starts
        self.client_secret = "fake-sso-client-secret-" + secrets.token_hex(8)
        register(self.client_secret, "the fake Kiro SSO client secret")
        self.client_id = "fake-sso-client-id"
        self.refreshes = 0
        self.refresh_delay = 0.0
        self.credits_used = 120.5
        # Damage the first message's bytes (a test of the CRC checks).
        self.corrupt = False
        self.usage_requests: list[RecordedRequest] = []
        self.list_requests: list[RecordedRequest] = []
        self.list_page = 50
        self.clients: dict[str, str] = {self.client_id: self.client_secret}  # registered: id -> secret
        self.device_codes: dict[str, str] = {}  # device code -> the client it was issued to
        self.device_polls, self.slow, self.device_denied = 2, False, False
        self.token_polls: list[dict[str, Any]] = []
        self.sso_tokens: set[str] = set()  # Builder ID access tokens: no profile needed
        self._sso_refresh: set[str] = set()
        super().__init__()

    def reset(self) -> None:
        super().reset()
        self.refreshes = 0
        self.refresh_delay = 0.0
        self.corrupt = False
        self.list_page = 50
        self.device_polls, self.slow, self.device_denied = 2, False, False

    def settings(self) -> dict[str, Any]:
        return {
            "kiro": {
                "authorize_url": f"{self.url}/signin",
                "token_url": f"{self.url}/oauth/token",
                "device_url": f"{self.url}/device_authorization",
                "device_token_url": f"{self.url}/token",
                "base_url": self.url,
                "redirect_port": 0,
            }
        }

    def new_tokens(self) -> dict[str, Any]:
        """A social login's tokens, as Kiro's auth service answers them."""
        access, refresh = "aoa" + secrets.token_urlsafe(24), "aor" + secrets.token_urlsafe(24)
        register(access, "a fake Kiro access token")
        register(refresh, "a fake Kiro refresh token")
        self.access_tokens[access] = time.time() + self.lifetime
        self.refresh_tokens.add(refresh)
        return {
            "accessToken": access,
            "refreshToken": refresh,
            "expiresIn": int(self.lifetime),
            "profileArn": PROFILE_ARN,
        }

    def expire_tokens(self) -> None:
        self.access_tokens.clear()

    # -- runtime -----------------------------------------------------------------------

    def routes(self) -> list[Route]:
        return [
            Route("/generateAssistantResponse", self._generate, methods=["POST"]),
            Route("/getUsageLimits", self._usage, methods=["GET"]),
            Route("/ListAvailableModels", self._list, methods=["GET"]),
            Route("/signin", self._portal, methods=["GET"]),
            Route("/oauth/token", self._exchange, methods=["POST"]),
            Route("/refreshToken", self._refresh, methods=["POST"]),
            Route("/token", self._sso_token, methods=["POST"]),
            Route("/client/register", self._register, methods=["POST"]),
            Route("/device_authorization", self._device_authorization, methods=["POST"]),
        ]

    def check_auth(self, record: RecordedRequest) -> None:
        scheme, _, token = (record.header("authorization") or "").partition(" ")
        if scheme.lower() != "bearer":
            raise Rejected(INVALID_TOKEN, status=403, kind="AccessDeniedException")
        if record.header("tokentype") == "API_KEY":
            if token != self.key:
                raise Rejected(INVALID_TOKEN, status=403, kind="AccessDeniedException")
            return
        if self.access_tokens.get(token, 0.0) <= time.time():
            raise Rejected(INVALID_TOKEN, status=403, kind="AccessDeniedException")
        if "KiroIDE-" not in (record.header("user-agent") or "") or not record.header(
            "amz-sdk-invocation-id"
        ):
            raise Rejected("missing the IDE's SDK headers", status=400, kind="ValidationException")

    def error_body(self, error: Rejected) -> dict[str, Any]:
        if error.status == 402:
            return {"message": error.message, "reason": "MONTHLY_REQUEST_COUNT"}
        kind = error.kind or EXCEPTIONS.get(error.status, "InternalServerException")
        return {"message": error.message, "__type": f"com.amazon.aws.codewhisperer#{kind}"}

    def response_headers(self) -> dict[str, str]:
        return {"x-amzn-requestid": secrets.token_hex(16)}

    def is_stream(self, body: Any, record: RecordedRequest) -> bool:
        return True  # Kiro only streams

    async def _generate(self, request: Request) -> Frames:
        return await self.handle(request, self._validate, self._answer)

    def _validate(self, body: Any, record: RecordedRequest) -> None:
        validate(body, len(record.body), self.models, self.needs_profile(record))

    def needs_profile(self, record: RecordedRequest) -> bool:
        """A social login's calls name its profile; a key's and a Builder ID's do not."""
        token = (record.header("authorization") or "").partition(" ")[2]
        return record.header("tokentype") != "API_KEY" and token not in self.sso_tokens

    def _answer(self, body: Any, record: RecordedRequest, reply: Reply) -> Frames:
        frames = answer_frames(reply)
        if reply.error is not None:
            frames = [*frames[:-2], self._in_stream(reply.error)]
        data = bytearray(b"".join(frames))
        if self.corrupt:
            data[16] ^= 0x01
        answer = Frames(
            cut(bytes(data), reply.chunks + 2),
            headers={**self.response_headers(), **reply.headers},
            media_type=MEDIA_TYPE,
            first_byte_delay=reply.delay_before_first_byte,
            chunk_delay=reply.chunk_delay,
            drop_after=reply.drop_after_chunks,
        )
        self.streams.append(answer)
        return answer

    def _in_stream(self, failure: Failure) -> bytes:
        return exception(
            failure.kind or EXCEPTIONS.get(failure.status, "InternalServerException"), failure.message
        )

    async def _usage(self, request: Request) -> Response:
        record = await self.record(request)
        # Kept apart: `requests` (and `last`) are the generation requests.
        self.requests.remove(record)
        self.usage_requests.append(record)
        try:
            self.check_auth(record)
        except Rejected as error:
            return JSONResponse(self.error_body(error), status_code=error.status)
        if self.needs_profile(record) and record.query.get("profileArn") != PROFILE_ARN:
            return JSONResponse({"message": "profileArn is required"}, status_code=400)
        return JSONResponse(usage_answer(self.credits_used))

    async def _list(self, request: Request) -> Response:
        record = await self.record(request)
        self.requests.remove(record)
        self.list_requests.append(record)
        try:
            self.check_auth(record)
        except Rejected as error:
            return JSONResponse(self.error_body(error), status_code=error.status)
        if self.needs_profile(record) and record.query.get("profileArn") != PROFILE_ARN:
            return JSONResponse(self.error_body(Rejected("profileArn is required", status=400)), 400)
        if record.query.get("origin") != "AI_EDITOR":
            return JSONResponse(self.error_body(Rejected("origin is required", status=400)), 400)
        start = self._page_tokens.get(record.query.get("nextToken", ""), 0)
        size = min(self.list_page, int(record.query.get("maxResults") or 50))
        body: dict[str, Any] = {"models": [model_entry(name) for name in self.models[start : start + size]]}
        if start + size < len(self.models):
            token = secrets.token_urlsafe(12)
            self._page_tokens[token] = start + size
            body["nextToken"] = token
        return JSONResponse(body)

    # -- auth --------------------------------------------------------------------------

    async def _portal(self, request: Request) -> Response:
        """The browser's visit: signed in with Google at once, sent back with a code."""
        params = request.query_params
        redirect = params.get("redirect_uri", "")
        callback = f"{redirect}/oauth/callback"
        code = secrets.token_urlsafe(16)
        self.codes[code] = (params.get("code_challenge", ""), f"{callback}?login_option=google")
        query = urlencode({"code": code, "state": params.get("state", ""), "login_option": "google"})
        return RedirectResponse(f"{callback}?{query}", status_code=302)

    async def _exchange(self, request: Request) -> Response:
        body = orjson.loads(await request.body() or b"{}")
        challenge, redirect = self.codes.pop(body.get("code", ""), ("", ""))
        verifier = str(body.get("code_verifier", ""))
        digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if not challenge or digest != challenge or body.get("redirect_uri") != redirect:
            return JSONResponse({"message": "Invalid authorization code or verifier"}, status_code=400)
        return JSONResponse(self.new_tokens())

    async def _refresh(self, request: Request) -> Response:
        body = orjson.loads(await request.body() or b"{}")
        await asyncio.sleep(self.refresh_delay)
        token = body.get("refreshToken")
        if token not in self.refresh_tokens:
            return JSONResponse({"message": "Invalid refresh token"}, status_code=401)
        self.refresh_tokens.discard(token)
        self.refreshes += 1
        return JSONResponse(self.new_tokens())

    async def _sso_token(self, request: Request) -> Response:
        body = orjson.loads(await request.body() or b"{}")
        known = self.clients.get(str(body.get("clientId"))) == body.get("clientSecret")
        if body.get("grantType") == DEVICE_GRANT:
            return self._device_token(body, known)
        if (
            body.get("grantType") != "refresh_token"
            or not known
            or body.get("refreshToken") not in self.refresh_tokens
        ):
            return JSONResponse(
                {"error": "invalid_grant", "error_description": "Invalid refresh token provided"},
                status_code=400,
            )
        self.refreshes += 1
        tokens = self.new_tokens()
        # AWS SSO answers no profile: the IDE keeps the one it had.
        if body.get("refreshToken") in self._sso_refresh:
            self.sso_tokens.add(tokens["accessToken"])
            self._sso_refresh.add(tokens["refreshToken"])
        return JSONResponse(
            {key: tokens[key] for key in ("accessToken", "refreshToken", "expiresIn")}
            | {"tokenType": "Bearer"}
        )

    # -- AWS Builder ID's device login ---------------------------------------------------

    async def _register(self, request: Request) -> Response:
        body = orjson.loads(await request.body() or b"{}")
        grants = body.get("grantTypes") or []
        if body.get("clientType") != "public" or DEVICE_GRANT not in grants or not body.get("scopes"):
            return _aws_error(400, "invalid_client_metadata", "Invalid client metadata")
        client_id, secret = "fake-client-" + secrets.token_hex(6), "fake-secret-" + secrets.token_hex(12)
        register(secret, "a fake AWS OIDC client secret")
        self.clients[client_id] = secret
        return JSONResponse(
            {
                "clientId": client_id,
                "clientSecret": secret,
                "clientSecretExpiresAt": int(time.time()) + 7776000,
            }
        )

    async def _device_authorization(self, request: Request) -> Response:
        body = orjson.loads(await request.body() or b"{}")
        if self.clients.get(str(body.get("clientId"))) != body.get("clientSecret") or not body.get(
            "startUrl"
        ):
            return _aws_error(400, "invalid_client", "Invalid client")
        code = secrets.token_urlsafe(24)
        self.device_codes[code] = str(body["clientId"])
        page = f"{self.url}/device"
        return JSONResponse(
            {
                "deviceCode": code,
                "userCode": "ABCD-EFGH",
                "verificationUri": page,
                "verificationUriComplete": f"{page}?user_code=ABCD-EFGH",
                "expiresIn": 600,
                "interval": 1,
            }
        )

    def _device_token(self, body: dict[str, Any], known: bool) -> Response:
        self.token_polls.append(body)
        owner = self.device_codes.get(str(body.get("deviceCode")))
        if not known or owner != body.get("clientId"):
            return _aws_error(400, "invalid_grant", "Invalid device code provided")
        if self.device_denied:
            return _aws_error(400, "access_denied", "The user denied the authorization")
        if self.slow:
            self.slow = False
            return _aws_error(400, "slow_down", "Client is polling too quickly")
        if self.device_polls > 0:
            self.device_polls -= 1
            return _aws_error(400, "authorization_pending", "Authorization is still pending")
        del self.device_codes[str(body["deviceCode"])]
        tokens = self.new_tokens()
        self.sso_tokens.add(tokens["accessToken"])
        self._sso_refresh.add(tokens["refreshToken"])
        return JSONResponse(
            {key: tokens[key] for key in ("accessToken", "refreshToken", "expiresIn")}
            | {"tokenType": "Bearer"}
        )


def _aws_error(status: int, code: str, text: str) -> JSONResponse:
    """AWS SSO OIDC's error: the OAuth code and its description, the type in a header."""
    kind = "".join(part.title() for part in code.split("_")) + "Exception"
    return JSONResponse(
        {"error": code, "error_description": text}, status_code=status, headers={"x-amzn-errortype": kind}
    )


DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


def model_entry(name: str) -> dict[str, Any]:
    """One model of `ListAvailableModels`, as Kiro lists it."""
    return {
        "modelId": name,
        "modelName": name.replace("-", " ").title(),
        "description": f"{name} on Kiro",
        "supportedInputTypes": ["TEXT", "IMAGE"],
        "tokenLimits": {"maxInputTokens": 200_000, "maxOutputTokens": 64_000},
    }


def usage_answer(used: float) -> dict[str, Any]:
    """`getUsageLimits` as Kiro answers it (pools.md): credits to 0.01, the month's reset."""
    return {
        "nextDateReset": 1798761600.0,
        "subscriptionInfo": {"subscriptionTitle": "KIRO PRO", "type": "Q_DEVELOPER_STANDALONE_PRO"},
        "usageBreakdownList": [
            {
                "resourceType": "CREDIT",
                "displayName": "Credits",
                "currentUsage": int(used),
                "currentUsageWithPrecision": used,
                "usageLimit": 1000,
                "usageLimitWithPrecision": 1000.0,
                "freeTrialInfo": {"freeTrialStatus": "EXPIRED"},
            }
        ],
        "overageConfiguration": {"overageStatus": "DISABLED"},
        "userInfo": {"email": "kiro.user@example.com"},
    }


__all__ = ["KiroFake", "event", "exception"]

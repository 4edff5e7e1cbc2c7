"""Fake Code Assist backend (`cloudcode-pa.googleapis.com/v1internal`), the one Gemini CLI's
Google login reaches (upstreams.md §4; gemini-cli packages/core/src/code_assist).

    POST /v1internal:loadCodeAssist          the account's tier and project, if onboarded
    POST /v1internal:onboardUser             a long-running operation, `done` after
    GET  /v1internal/operations/{id}         `onboard_polls` reads
    POST /v1internal:generateContent         {"model", "project", "user_prompt_id"?, "request"}
    POST /v1internal:streamGenerateContent   same, `?alt=sse`; every chunk {"response": ...}
    POST /v1internal:countTokens             {"request": {"model": "models/..", "contents"}}

Auth is a Google access token as a bearer, each belonging to a user: those `allow`
names, or, given a FakeOAuth, those it issued (the user is its `sub`). An API key is
refused as Google refuses it on OAuth-only APIs. Onboarding follows
setup.ts: the free tier gets a project Google manages and refuses one named by the
client ("Precondition Failed"); other tiers need the user's own. A generation request
must name the project its user was onboarded with, then the inner request is checked as
the Gemini API checks it (gemini_validate). A 429 is drawn as Code Assist draws it:
ErrorInfo (domain cloudcode-pa.googleapis.com, reason RATE_LIMIT_EXCEEDED or the
scripted one) with RetryInfo and `quotaResetDelay` when the Failure has `retry_after`,
and a QuotaFailure naming a per-day quota for a QUOTA_EXHAUSTED without one. Wordings
of errors the sources do not quote (a missing project) are this fake's own.
"""

from __future__ import annotations

import secrets
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any, ClassVar

from starlette.requests import Request
from starlette.routing import Route

from tests.fakes.base import Rejected, seconds
from tests.fakes.gemini import RPC, GeminiFake
from tests.fakes.gemini_render import Rendering
from tests.fakes.gemini_validate import validate
from tests.fakes.oauth import FakeOAuth
from tests.fakes.respond import Frames, json_answer, sse
from tests.fakes.script import RecordedRequest, Reply
from tests.secret_scan.registry import register

DOMAIN = "cloudcode-pa.googleapis.com"
UNAUTHENTICATED = (
    "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other "
    "valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project."
)
NO_API_KEYS = (
    "API keys are not supported by this API. Expected OAuth2 access token or other authentication "
    "credentials that assert a principal. See https://cloud.google.com/docs/authentication"
)
ENVELOPE = {"model", "project", "user_prompt_id", "request", "enabled_credit_types"}
FREE_TIER = "free-tier"


@dataclass(slots=True)
class Operation:
    user: str
    project: str
    polls_left: int


# Code Assist's answer for a personal account since the cut-off; the message is the one
# Gemini CLI users quote (runtimes.md: IneligibleTierError), the reason code is assumed.
CUT_OFF = {
    "reasonCode": "INELIGIBLE_ACCOUNT",
    "reasonMessage": (
        "This client is no longer supported for Gemini Code Assist for individuals. "
        "Please migrate to the Antigravity suite."
    ),
    "tierName": "Gemini Code Assist for individuals",
}


class CodeAssistFake(GeminiFake):
    api_prefix: ClassVar[str] = "/v1internal"
    default_key: ClassVar[str] = "ya29.fake-google-access-token"

    def __init__(self, oauth: FakeOAuth | None = None, models: list[str] | None = None) -> None:
        self.oauth = oauth
        self.users: dict[str, str] = {}  # access token -> user
        self.expiry: dict[str, float] = {}
        self.projects: dict[str, str] = {}  # user -> onboarded project
        self.operations: dict[str, Operation] = {}
        self.calls: Counter[str] = Counter()
        self.default_tier = FREE_TIER
        self.onboard_polls = 1
        self.validation_url: str | None = None
        self.cut_off = False
        super().__init__(None, models)
        self._restore()

    def reset(self) -> None:
        super().reset()
        self._restore()

    def _restore(self) -> None:
        self.users = {self.key: "user-1"}
        self.expiry.clear()
        self.projects.clear()
        self.operations.clear()
        self.calls.clear()
        self.default_tier = FREE_TIER
        self.onboard_polls = 1
        self.validation_url = None
        # A personal account after 2026-06-18 (runtimes.md): its tier is listed ineligible.
        self.cut_off = False

    def allow(self, token: str, user: str = "user-1", expires_at: float | None = None) -> None:
        """Accept `token` as an access token of `user` (until `expires_at`)."""
        register(token, "a Google OAuth access token")
        self.users[token] = user
        if expires_at is not None:
            self.expiry[token] = expires_at

    def routes(self) -> list[Route]:
        base = self.api_prefix
        return [
            Route(f"{base}:loadCodeAssist", self._load, methods=["POST"]),
            Route(f"{base}:onboardUser", self._onboard, methods=["POST"]),
            Route(f"{base}/operations/{{name}}", self._operation, methods=["GET"]),
            Route(f"{base}:generateContent", self._generate, methods=["POST"]),
            Route(f"{base}:streamGenerateContent", self._generate, methods=["POST"]),
            Route(f"{base}:countTokens", self._count_tokens, methods=["POST"]),
        ]

    # -- auth and errors -------------------------------------------------------------------

    def check_auth(self, record: RecordedRequest) -> None:
        scheme, _, token = (record.header("authorization") or "").partition(" ")
        if scheme.lower() != "bearer" and (record.header("x-goog-api-key") or record.query.get("key")):
            raise Rejected(NO_API_KEYS, status=401, reason="CREDENTIALS_MISSING")
        user = self._user(token.strip()) if scheme.lower() == "bearer" else None
        if user is None:
            raise Rejected(UNAUTHENTICATED, status=401)

    def _user(self, token: str) -> str | None:
        """Whose token this is, if it is known and unexpired."""
        if token in self.users:
            expired = token in self.expiry and self.expiry[token] <= time.time()
            return None if expired else self.users[token]
        issued = self.oauth.user_for(token) if self.oauth is not None else None
        return issued.sub if issued is not None else None

    def user_of(self, headers: Any) -> str:
        """The user whose (already checked) bearer token these request headers carry."""
        user = self._user((headers.get("authorization") or "").partition(" ")[2].strip())
        assert user is not None, "check_auth let an unknown token through"
        return user

    def error_body(self, error: Rejected) -> dict[str, Any]:
        if error.status != 429:
            return super().error_body(error)
        reason = error.reason or "RATE_LIMIT_EXCEEDED"
        metadata: dict[str, str] = {"model": self.models[0]}
        details: list[dict[str, Any]] = []
        if error.retry_after is not None:
            metadata["quotaResetDelay"] = seconds(error.retry_after) + "s"
            details.append({"@type": RPC + "RetryInfo", "retryDelay": seconds(error.retry_after) + "s"})
        elif reason == "QUOTA_EXHAUSTED":
            violation = {"quotaId": "GenerateRequestsPerDayPerProjectPerModel", "quotaMetric": DOMAIN}
            details.append({"@type": RPC + "QuotaFailure", "violations": [violation]})
        info = {"@type": RPC + "ErrorInfo", "reason": reason, "domain": DOMAIN, "metadata": metadata}
        details.insert(0, info)
        status = error.kind or "RESOURCE_EXHAUSTED"
        return {"error": {"code": 429, "message": error.message, "status": status, "details": details}}

    # -- project discovery -----------------------------------------------------------------

    async def _load(self, request: Request) -> Frames:
        _, rejected = await self.preflight(request, lambda b, r: None)
        if rejected is not None:
            return rejected
        user = self.user_of(request.headers)
        self.calls["loadCodeAssist"] += 1
        tier = {"id": self.default_tier, "name": self.default_tier, "isDefault": True}
        answer: dict[str, Any] = {"allowedTiers": [tier]}
        if user in self.projects:
            answer.update(currentTier=tier, cloudaicompanionProject=self.projects[user])
        elif self.cut_off:
            answer["ineligibleTiers"] = [CUT_OFF | {"tierId": self.default_tier}]
        elif self.validation_url is not None:
            answer["ineligibleTiers"] = [
                {
                    "reasonCode": "VALIDATION_REQUIRED",
                    "reasonMessage": "Verify your account to continue.",
                    "tierId": self.default_tier,
                    "validationUrl": self.validation_url,
                }
            ]
        return json_answer(answer)

    async def _onboard(self, request: Request) -> Frames:
        body, rejected = await self.preflight(request, self._check_onboard)
        if rejected is not None:
            return rejected
        self.calls["onboardUser"] += 1
        user = self.user_of(request.headers)
        own = body.get("cloudaicompanionProject")
        project = own if isinstance(own, str) else f"{user}-managed-project"
        name = "operations/" + secrets.token_hex(8)
        self.operations[name] = Operation(user, project, self.onboard_polls)
        return json_answer(self._operation_state(name))

    def _check_onboard(self, body: Any, record: RecordedRequest) -> None:
        if not isinstance(body, dict) or not isinstance(body.get("metadata"), dict):
            raise Rejected("Invalid JSON payload received: metadata is required.")
        if self.cut_off:
            raise Rejected(CUT_OFF["reasonMessage"], kind="FAILED_PRECONDITION")
        if body.get("tierId") != self.default_tier:
            raise Rejected(f"Tier {body.get('tierId')!r} is not allowed for this user.")
        named = body.get("cloudaicompanionProject")
        if self.default_tier == FREE_TIER and named is not None:
            raise Rejected("Precondition Failed", kind="FAILED_PRECONDITION")
        if self.default_tier != FREE_TIER and not isinstance(named, str):
            raise Rejected("This tier needs a Google Cloud project (cloudaicompanionProject).")

    async def _operation(self, request: Request) -> Frames:
        _, rejected = await self.preflight(request, lambda b, r: None)
        name = "operations/" + request.path_params["name"]
        if rejected is None and name not in self.operations:
            rejected = self.rejection(Rejected(f"Operation {name} not found.", status=404))
        if rejected is not None:
            return rejected
        self.calls["getOperation"] += 1
        operation = self.operations[name]
        operation.polls_left -= 1
        return json_answer(self._operation_state(name))

    def _operation_state(self, name: str) -> dict[str, Any]:
        operation = self.operations[name]
        if operation.polls_left > 0:
            return {"name": name, "done": False}
        self.projects[operation.user] = operation.project
        project = {"id": operation.project, "name": operation.project}
        return {"name": name, "done": True, "response": {"cloudaicompanionProject": project}}

    # -- generation ------------------------------------------------------------------------

    async def _generate(self, request: Request) -> Frames:
        self.calls[request.url.path.rpartition(":")[2]] += 1
        return await self.handle(request, self._check_envelope, self._answer)

    def _check_envelope(self, body: Any, record: RecordedRequest) -> None:
        if not isinstance(body, dict):
            raise Rejected("Invalid JSON payload received. Expected an object.")
        for key in body:
            if key not in ENVELOPE:
                raise Rejected(f'Invalid JSON payload received. Unknown name "{key}": Cannot find field.')
        if self.is_stream(body, record) and record.query.get("alt") != "sse":
            raise Rejected("this fake serves streamGenerateContent as SSE only: add ?alt=sse")
        if not isinstance(body.get("request"), dict):
            raise Rejected("request is required.")
        model = body.get("model")
        if not isinstance(model, str) or not model:
            raise Rejected("model is required.")
        if model not in self.models:
            raise Rejected("Requested entity was not found.", status=404)
        self._check_project(body.get("project"), record)
        validate(body["request"], model, self.signatures)

    def _check_project(self, project: Any, record: RecordedRequest) -> None:
        if not isinstance(project, str) or not project:
            raise Rejected("project is required: name the Code Assist project of this user.")
        if self.projects.get(self.user_of(record.headers)) != project:
            resource = f"//cloudaicompanion.googleapis.com/projects/{project}/locations/global"
            raise Rejected(
                f"Permission 'cloudaicompanion.companions.generateChat' denied on resource '{resource}' "
                "(or it may not exist).",
                status=403,
            )

    def _answer(self, body: dict[str, Any], record: RecordedRequest, reply: Reply) -> Frames:
        rendering = Rendering(body["request"], body["model"], reply, self.issue_signature)
        trace = secrets.token_hex(8)
        if not self.is_stream(body, record):
            return self.whole({"response": rendering.whole(), "traceId": trace}, reply)
        chunks: list[Any] = [{"response": chunk, "traceId": trace} for chunk in rendering.chunks()]
        if reply.error is not None:
            chunks = [*chunks[:-1], self.error_body(self.as_rejected(reply.error))]
        return self.frames([sse(chunk) for chunk in chunks], reply)

    async def _count_tokens(self, request: Request) -> Frames:
        body, rejected = await self.preflight(request, self._check_count)
        return rejected or json_answer({"totalTokens": self.token_count(body)})

    def _check_count(self, body: Any, record: RecordedRequest) -> None:
        inner = body.get("request") if isinstance(body, dict) else None
        if not isinstance(inner, dict) or not str(inner.get("model", "")).startswith("models/"):
            raise Rejected('request.model is required, as "models/<model>".')

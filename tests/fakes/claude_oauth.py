"""Fake Anthropic backend for Claude Pro/Max OAuth tokens: the Messages API as AnthropicFake
serves it, plus what Anthropic checks of a consumer token (upstreams.md §2.1).

Refused, in the real backend's words (quoted in Claude Code and SDK issue reports):
- an `x-api-key`, no bearer, or a bearer never issued: 401 authentication_error;
- a bearer without the `oauth-2025-04-20` beta: 401 "OAuth authentication is currently
  not supported.";
- an expired token: 401 "OAuth token has expired. Please obtain a new token or refresh
  your existing token.";
- a request not shaped like Claude Code's: 400 "This credential is only authorized for
  use with Claude Code and cannot be used for other API requests." Here that means the
  first system block (after Claude Code's billing-header blocks) is not exactly one of
  Claude Code's identity lines, or a tool the client defines (not a hosted one) is named
  neither PascalCase like Claude Code's (`Read`, `TodoWrite`) nor `mcp__<server>__<tool>`.
  The real backend's exact rule is not public; this is the shape the sources agree on.

Tokens are those `allow` names, or, given a FakeOAuth, those it issued (expiring when
it says). Every answer carries the unified rate-limit headers of `windows` (§2.3);
`spent(window)` scripts the 429 the backend answers once a window is used up.
"""

from __future__ import annotations

import re
import time
from typing import Any, ClassVar

from tests.fakes.anthropic import AnthropicFake
from tests.fakes.anthropic_validate import betas_of
from tests.fakes.base import Rejected, new_token
from tests.fakes.oauth import FakeOAuth
from tests.fakes.script import Failure, RecordedRequest
from tests.secret_scan.registry import register

OAUTH_BETA = "oauth-2025-04-20"
NOT_CLAUDE_CODE = (
    "This credential is only authorized for use with Claude Code and cannot be used for other API requests."
)
NO_OAUTH = "OAuth authentication is currently not supported."
EXPIRED = "OAuth token has expired. Please obtain a new token or refresh your existing token."
# Written out here, apart from dragoman's copy, so a typo on one side shows.
IDENTITIES = (
    "You are Claude Code, Anthropic's official CLI for Claude.",
    "You are Claude Code, Anthropic's official CLI for Claude, running within the Claude Agent SDK.",
    "You are a Claude agent, built on Anthropic's Claude Agent SDK.",
)
BILLING = "x-anthropic-billing-header:"
TOOL_NAME = re.compile(r"^(?:[A-Z][A-Za-z0-9]{0,63}|mcp__[A-Za-z0-9_-]+__[A-Za-z0-9_-]+)$")
PREFIX = "anthropic-ratelimit-unified-"


def new_oauth_token() -> str:
    token = "sk-ant-oat01-" + new_token()
    register(token, "a Claude OAuth access token")
    return token


class ClaudeOAuthFake(AnthropicFake):
    default_key: ClassVar[str] = "sk-ant-oat01-fake-access-token"

    def __init__(self, oauth: FakeOAuth | None = None, models: list[str] | None = None) -> None:
        self.oauth = oauth
        # token -> expiry (epoch seconds) or None for a token that does not expire
        self.tokens: dict[str, float | None] = {}
        self.windows: dict[str, tuple[str, float, float]] = {}
        super().__init__(None, models)
        self._restore()

    def reset(self) -> None:
        super().reset()
        self._restore()

    def _restore(self) -> None:
        self.tokens = {self.key: None}
        hour = time.time() + 3600
        self.windows = {"5h": ("allowed", 0.25, hour), "7d": ("allowed", 0.5, hour + 86400)}

    def allow(self, token: str, expires_at: float | None = None) -> None:
        """Accept `token` as an access token until `expires_at`."""
        register(token, "a Claude OAuth access token")
        self.tokens[token] = expires_at

    # -- auth ------------------------------------------------------------------------------

    def check_auth(self, record: RecordedRequest) -> None:
        if record.header("x-api-key") is not None:
            raise Rejected("invalid x-api-key", status=401)
        scheme, _, token = (record.header("authorization") or "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise Rejected("x-api-key header is required", status=401)
        if token not in self.tokens and (self.oauth is None or token not in self.oauth.access):
            raise Rejected("Invalid bearer token", status=401)
        if OAUTH_BETA not in betas_of(record.headers):
            raise Rejected(NO_OAUTH, status=401)
        if self._expired(token):
            raise Rejected(EXPIRED, status=401)
        if not record.header("anthropic-version"):
            raise Rejected("anthropic-version: header is required")

    def _expired(self, token: str) -> bool:
        if token in self.tokens:
            expires = self.tokens[token]
            return expires is not None and expires <= time.time()
        return self.oauth is None or self.oauth.user_for(token) is None

    def _check(self, body: Any, record: RecordedRequest, count: bool = False) -> None:
        if isinstance(body, dict):
            check_claude_code_shape(body)
        super()._check(body, record, count)

    # -- rate-limit windows ----------------------------------------------------------------

    def response_headers(self) -> dict[str, str]:
        return {**super().response_headers(), **self.window_headers(self.windows)}

    @staticmethod
    def window_headers(windows: dict[str, tuple[str, float, float]]) -> dict[str, str]:
        headers: dict[str, str] = {}
        for name, (status, utilization, reset) in windows.items():
            headers[f"{PREFIX}{name}-status"] = status
            headers[f"{PREFIX}{name}-utilization"] = str(utilization)
            headers[f"{PREFIX}{name}-reset"] = str(int(reset))
        rejected = [name for name, (status, _, _) in windows.items() if status == "rejected"]
        headers[PREFIX + "status"] = "rejected" if rejected else "allowed"
        if windows:
            binding = rejected[0] if rejected else next(iter(windows))
            headers[PREFIX + "reset"] = str(int(windows[binding][2]))
        return headers

    def spent(self, window: str, reset_at: float) -> Failure:
        """The 429 the backend answers once `window` is used up until `reset_at`."""
        windows = {**self.windows, window: ("rejected", 1.0, reset_at)}
        return Failure(
            429,
            "This request would exceed your account's rate limit. Please try again later.",
            retry_after=max(1, int(reset_at - time.time())),
            headers=self.window_headers(windows),
        )


def check_claude_code_shape(body: dict[str, Any]) -> None:
    """Raise the backend's refusal unless `body` looks like Claude Code's."""
    system = body.get("system")
    blocks = [{"type": "text", "text": system}] if isinstance(system, str) else system
    texts = [block.get("text") for block in blocks or [] if isinstance(block, dict)]
    while texts and isinstance(texts[0], str) and texts[0].startswith(BILLING):
        texts.pop(0)
    if not texts or texts[0] not in IDENTITIES:
        raise Rejected(NOT_CLAUDE_CODE)
    tools = [tool for tool in body.get("tools") or [] if isinstance(tool, dict)]
    names = [str(tool.get("name", "")) for tool in tools if tool.get("type", "custom") == "custom"]
    if not all(TOOL_NAME.match(name) for name in names):
        raise Rejected(NOT_CLAUDE_CODE)

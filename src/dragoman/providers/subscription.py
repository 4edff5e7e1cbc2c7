"""What a subscription login adds to a provider kind: its OAuth client, and how its
backend treats each account. Both are data or small hooks, set on the kind's SPEC.

    SPEC = ProviderSpec(kind="codex", ..., oauth=OAuthSpec(...), runtime=CodexRuntime())

The OAuth flows themselves live in `dragoman.auth`; tokens are refreshed there and
handed to the runtime as a stored `Account`.

Beyond the first version of this contract (kept as it was), the OAuthSpec fields from
`redirect_host` down and the runtime hooks `call_headers`, `rate_limits` and `usage` were
added with the Codex and Grok logins, for what the providers' OAuth servers and backends
actually differ in: JSON token requests carrying `state` (Claude), a code-page redirect
for headless logins (Claude, Gemini), OpenAI's own device-code variant (Codex), a
session id header taken from the body (Codex, Grok), and subscription usage windows
(Codex usage endpoint, Claude's unified rate-limit headers).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypedDict

from dragoman.ir.errors import PermissionDenied

if TYPE_CHECKING:
    import httpx

    from dragoman.auth.login import LoginIO
    from dragoman.ir.request import Request
    from dragoman.store.accounts import Account

Flow = Literal["callback", "paste", "device"]
DeviceStyle = Literal["rfc8628", "openai"]


@dataclass(frozen=True, slots=True)
class OAuthSpec:
    """A provider's OAuth client. Every URL can be overridden in the configuration
    (`[oauth.<kind>]` in config.toml: tests point them at fake servers)."""

    client_id: str
    token_url: str
    authorize_url: str | None = None
    device_url: str | None = None
    revoke_url: str | None = None
    # Installed-app "secrets" are public (Gemini CLI ships one); never a real secret.
    client_secret: str | None = None
    scopes: tuple[str, ...] = ()
    # The loopback port registered for the client; None: any free port (Gemini CLI).
    redirect_port: int | None = None
    redirect_path: str = "/auth/callback"
    authorize_params: dict[str, str] = field(default_factory=dict)
    # The first flow is the default of `dragoman login`.
    flows: tuple[Flow, ...] = ("callback", "paste")
    # Shown once at login and as the `risk` column of `dragoman status`.
    risk_notice: str | None = None
    # The host written in the redirect URI (the listener always binds 127.0.0.1).
    redirect_host: str = "localhost"
    # A provider page that shows the code to paste (Claude's code page prints
    # `code#state`, Gemini's authcode page the code): used instead of the loopback
    # redirect when the browser is on another machine (`login --no-browser`).
    paste_redirect_uri: str | None = None
    # How token requests (code exchange, refresh) are encoded; Claude wants JSON.
    token_format: Literal["form", "json"] = "form"
    # Claude's token endpoint wants the flow's `state` in the code exchange.
    state_in_exchange: bool = False
    # RFC 8628 (`device_url` issues codes, `token_url` is polled) or OpenAI's variant
    # (`device_url` issues a user code, `device_token_url` is polled for an
    # authorization code, exchanged with `device_redirect_uri`; see oauth.md §1.5).
    device_style: DeviceStyle = "rfc8628"
    device_token_url: str | None = None
    device_redirect_uri: str | None = None
    # The page where the user types a device code when the server names none.
    verification_url: str | None = None
    # Where the login's long-lived token is exchanged for the short-lived one requests
    # carry (GitHub Copilot, oauth.md §7.2): a refresh is then this exchange, with
    # `exchange_headers`, and the login's own token is kept as the refresh token.
    exchange_url: str | None = None
    exchange_headers: dict[str, str] = field(default_factory=dict)
    # The provider's quota endpoint when it is not beside the backend (Copilot's user endpoint).
    quota_url: str | None = None


class CredentialsError(ValueError):
    """An official CLI's credential file that holds no login dragoman can adopt.

    Each subscription folder may offer `credentials.py` with `DEFAULT_PATH` (a path
    string, `~` allowed), optionally `default_path(environ) -> Path` (for a variable
    such as CODEX_HOME), and `read_official(path: Path) -> Account`: the unsaved
    account (`auth="oauth"`) that `dragoman import <kind>` stores. It only reads.
    """


class UsageWindow(TypedDict, total=False):
    """One subscription usage window, as `dragoman status` shows it."""

    name: str  # "5h", "weekly", ...
    used_percent: float
    resets_at: float  # epoch seconds
    status: str  # "allowed", "rejected", ... where the provider says


class Ineligible(PermissionDenied):
    """The backend will never serve this account (e.g. a personal Google account on Code
    Assist since its cut-off): not a refusal that waiting or a refresh would change."""


class AccountRuntime:
    """How a subscription backend treats one account. Every hook has a neutral default,
    so a kind overrides only what its backend needs."""

    # The backend only answers streams (the relay folds them for non-streaming clients).
    stream_only: ClassVar[bool] = False
    # The statuses with which the backend refuses a stale token: refreshed once, then
    # the request sent again (Kiro answers an expired token with 403).
    refused_statuses: ClassVar[tuple[int, ...]] = (401,)
    # Read `usage` this often while the account serves, for the pools' usage windows
    # (Kiro, whose answers carry none); None: never (its answers say, or `status` asks).
    usage_poll_seconds: ClassVar[float | None] = None

    def headers(self, account: Account) -> dict[str, str]:
        """Per-account headers beyond `Authorization: Bearer <access token>`."""
        return {}

    def call_headers(self, account: Account, body: dict[str, Any]) -> dict[str, str]:
        """Headers that depend on the request body as sent (e.g. a session id taken
        from its `prompt_cache_key`)."""
        return {}

    def turn_headers(self, request: Request) -> dict[str, str]:
        """Headers that depend on the conversation itself, read from the IR request
        (e.g. Copilot's `X-Initiator`: who started this turn)."""
        return {}

    async def setup(self, account: Account, client: httpx.AsyncClient, base_url: str) -> dict[str, Any]:
        """One-time work before an account's first request (e.g. Code Assist project
        discovery). The result is merged into `account.extra` and stored."""
        return {}

    def wrap(self, body: dict[str, Any], model: str, account: Account) -> dict[str, Any]:
        """The request body as this backend wants it (e.g. Code Assist's envelope)."""
        return body

    def list_query(self, account: Account) -> dict[str, str]:
        """What the backend's model list also wants in its query, of this account
        (Kiro's profile)."""
        return {}

    def identity(self, tokens: dict[str, Any]) -> dict[str, Any]:
        """Account facts from a token response (id token claims): any of
        `account_id`, `email`, `plan`, and `expires_at` (epoch seconds) when the
        access token says better than `expires_in`."""
        return {}

    def rate_limits(self, headers: Mapping[str, str]) -> list[UsageWindow] | None:
        """Usage windows read from a backend response's headers, if it sends them."""
        return None

    async def usage(
        self, account: Account, client: httpx.AsyncClient, base_url: str
    ) -> list[UsageWindow] | None:
        """Usage windows from the provider's usage endpoint, if it has one."""
        return None

    async def refresh(
        self, client: httpx.AsyncClient, oauth: OAuthSpec, account: Account
    ) -> dict[str, Any] | None:
        """A token response for the account's refresh, for a provider whose token
        endpoint is not OAuth's (Kiro); None: the standard refresh. Raises
        `dragoman.auth.tokens.OAuthError`."""
        return None

    async def login(
        self, client: httpx.AsyncClient, oauth: OAuthSpec, io: LoginIO, no_browser: bool, flow: Flow
    ) -> dict[str, Any] | None:
        """A token response from the provider's own login (Kiro's portal, or AWS's device
        code when `flow` is "device"); None: the standard flows. Raises `LoginError` or
        `OAuthError`."""
        return None

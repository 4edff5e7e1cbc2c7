"""What a subscription login adds to a provider kind: its OAuth client, and how its
backend treats each account. Both are data or small hooks, set on the kind's SPEC.

    SPEC = ProviderSpec(kind="codex", ..., oauth=OAuthSpec(...), runtime=CodexRuntime())

The OAuth flows themselves live in `dragoman.auth`; tokens are refreshed there and
handed to the runtime as a stored `Account`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal

if TYPE_CHECKING:
    import httpx

    from dragoman.store.accounts import Account

Flow = Literal["callback", "paste", "device"]


@dataclass(frozen=True, slots=True)
class OAuthSpec:
    """A provider's OAuth client. Every URL can be overridden in the configuration
    (tests point them at fake servers)."""

    client_id: str
    token_url: str
    authorize_url: str | None = None
    device_url: str | None = None
    revoke_url: str | None = None
    # Installed-app "secrets" are public (Gemini CLI ships one); never a real secret.
    client_secret: str | None = None
    scopes: tuple[str, ...] = ()
    redirect_port: int | None = None
    redirect_path: str = "/auth/callback"
    authorize_params: dict[str, str] = field(default_factory=dict)
    flows: tuple[Flow, ...] = ("callback", "paste")
    # Shown once at login and as the `risk` column of `dragoman status`.
    risk_notice: str | None = None


class AccountRuntime:
    """How a subscription backend treats one account. Every hook has a neutral default,
    so a kind overrides only what its backend needs."""

    # The backend only answers streams (the relay folds them for non-streaming clients).
    stream_only: ClassVar[bool] = False

    def headers(self, account: Account) -> dict[str, str]:
        """Per-account headers beyond `Authorization: Bearer <access token>`."""
        return {}

    async def setup(self, account: Account, client: httpx.AsyncClient, base_url: str) -> dict[str, Any]:
        """One-time work before an account's first request (e.g. Code Assist project
        discovery). The result is merged into `account.extra` and stored."""
        return {}

    def wrap(self, body: dict[str, Any], model: str, account: Account) -> dict[str, Any]:
        """The request body as this backend wants it (e.g. Code Assist's envelope)."""
        return body

    def identity(self, tokens: dict[str, Any]) -> dict[str, Any]:
        """Account facts from a token response (id token claims): any of
        `account_id`, `email`, `plan`."""
        return {}

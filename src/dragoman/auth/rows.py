"""What a subscription login keeps on its accounts row besides the API-key columns, with
no database code: the gateway's request path reads these names, and must not load
SQLAlchemy for them (`dragoman.auth.store` writes them)."""

from __future__ import annotations

from dragoman.observe import redact
from dragoman.store.accounts import Account

# What a token response may change on a row (see auth.tokens.token_facts).
TOKEN_COLUMNS = ("access_token", "refresh_token", "expires_at", "account_id", "email", "plan", "scopes")

# Where a refresh that only a new login can fix leaves its reason (cleared by that login).
AUTH_ERROR = "auth_error"
# Where any other failed refresh (5xx, unreachable) leaves its reason, until one succeeds.
REFRESH_ERROR = "refresh_error"
# Where the backend's refusal of the account itself (`providers.subscription.Ineligible`,
# met at its one-time setup) is kept: its requests are refused with it, without asking
# the backend again, until the next refresh or login lets the setup try once more.
INELIGIBLE = "ineligible"
# All three, dropped by every successful refresh or login.
FAILURES = (AUTH_ERROR, REFRESH_ERROR, INELIGIBLE)
# The fencing token of the refresh lock's holding that last wrote the tokens: a write
# carrying an older one is refused (dragoman.state.Locks).
FENCE = "refresh_fence"


class AccountGone(LookupError):
    """The account was removed (logged out) while it was being used."""


class StaleFence(RuntimeError):
    """A refresh whose lock ran out tried to write over tokens a later holder wrote."""


def fence_of(account: Account) -> int:
    """The fence the account's tokens were last written with (0: never fenced)."""
    fence = account.extra.get(FENCE, 0)
    return fence if isinstance(fence, int) else 0


def secret_values(account: Account) -> list[str]:
    # An SSO login's client secret (Kiro's Builder ID) is as secret as its tokens.
    tokens = (
        account.access_token,
        account.refresh_token,
        account.extra.get("id_token"),
        account.extra.get("client_secret"),
    )
    return [value for value in tokens if isinstance(value, str) and value]


def remember(account: Account) -> Account:
    """`account`, its tokens registered for masking."""
    redact.register(secret_values(account))
    return account

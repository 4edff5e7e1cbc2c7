"""What `dragoman status` says of a token's time left, at the exact boundaries."""

from __future__ import annotations

import pytest

from dragoman.auth.refresh import MARGIN
from dragoman.auth.rows import AUTH_ERROR, REFRESH_ERROR
from dragoman.auth.status import health, problem
from dragoman.store.accounts import Account

NOW = 1_000_000.0


def login(
    left: float | None,
    access_token: str | None = "at",
    refresh_token: str | None = "rt",
    extra: dict[str, str] | None = None,
) -> Account:
    """A login whose token has `left` seconds to live at NOW (None: unknown expiry)."""
    return Account(
        provider="codex",
        auth="oauth",
        access_token=access_token,
        refresh_token=refresh_token,
        expires_at=NOW + left if left is not None else None,
        extra=extra or {},
    )


@pytest.mark.parametrize(
    ("left", "said"),
    [
        (None, "ok"),
        (MARGIN + 1, "ok"),
        (MARGIN, "ok"),
        (MARGIN - 1, "refreshes soon"),
        (1, "refreshes soon"),
        (0, "expired"),
        (-1, "expired"),
    ],
)
def test_health_by_the_time_left(left: float | None, said: str) -> None:
    assert health(login(left), NOW) == said


def test_an_expired_token_without_a_refresh_token_needs_a_login() -> None:
    assert health(login(-1, refresh_token=None), NOW) == "login needed"
    assert health(login(3600, access_token=None), NOW) == "login needed"


def test_a_recorded_failure_outranks_the_time_left() -> None:
    failing = login(3600, extra={REFRESH_ERROR: "HTTP 500"})
    refused = login(3600, extra={AUTH_ERROR: "invalid_grant", REFRESH_ERROR: "HTTP 500"})
    assert (health(failing, NOW), problem(failing)) == ("refresh failed", "HTTP 500")
    assert (health(refused, NOW), problem(refused)) == ("login needed", "invalid_grant")
    assert problem(login(3600)) is None

"""A real `dragoman login`, `refresh` and login again against the fake OAuth server: no
token the provider issued ever reaches the database's bytes in clear."""

from __future__ import annotations

from pathlib import Path

from dragoman.store.accounts import Account
from tests.cli import test_login
from tests.cli.test_login import run
from tests.subscriptions import Subscription, stored_logins

codex = test_login.codex  # the fixture: the fake codex OAuth server, the browser stubbed


def raw_bytes(home: Path) -> bytes:
    """Every byte SQLite keeps for the database: the file, its log and shared memory."""
    return b"".join(path.read_bytes() for path in home.glob("dragoman.db*"))


def secrets_of(account: Account) -> list[str]:
    found = [account.access_token, account.refresh_token, account.extra.get("id_token")]
    return [value for value in found if isinstance(value, str) and value]


def assert_sealed(home: Path, accounts: list[Account]) -> None:
    stored = raw_bytes(home)
    for account in accounts:
        assert account.access_token and account.refresh_token
        for secret in secrets_of(account):
            assert secret.encode() not in stored


def test_no_token_is_stored_in_clear_through_login_refresh_and_login_again(
    dragoman_home: Path, codex: Subscription
) -> None:
    logged_in = run("login", "--provider", "codex")
    assert logged_in.exit_code == 0, logged_in.output
    first = stored_logins(dragoman_home)
    assert_sealed(dragoman_home, first)

    refreshed = run("refresh", "--provider", "codex")
    assert refreshed.exit_code == 0 and codex.oauth.refreshes == 1
    second = stored_logins(dragoman_home)
    assert second[0].access_token != first[0].access_token
    assert_sealed(dragoman_home, [*first, *second])

    again = run("login", "--provider", "codex")
    assert again.exit_code == 0 and "renewed" in again.output
    third = stored_logins(dragoman_home)
    assert [a.id for a in third] == [first[0].id]
    assert_sealed(dragoman_home, [*first, *second, *third])
    assert (dragoman_home / "secret.key").exists()

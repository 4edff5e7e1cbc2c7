"""Credentials on the accounts table: one row per account, renewed in place, private
files, tokens never shown, and each write whole or not at all."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from dragoman.observe.redact import redact
from tests.fakes.oauth import User
from tests.subscriptions import Subscription, database_url, store_login, stored_logins

BOB = User(email="bob@example.org", account_id="acct-bob", plan="pro")


def test_two_logins_to_one_provider_are_two_accounts_named_by_email(
    dragoman_home: Path, codex: Subscription
) -> None:
    alice = store_login(dragoman_home, codex)
    bob = store_login(dragoman_home, codex, BOB)
    assert (alice.label, bob.label) == ("codex-alice", "codex-bob")
    assert [a.account_id for a in stored_logins(dragoman_home)] == ["acct-alice", "acct-bob"]


def test_logging_in_again_renews_the_same_account(dragoman_home: Path, codex: Subscription) -> None:
    first = store_login(dragoman_home, codex)
    again = store_login(dragoman_home, codex)
    [only] = stored_logins(dragoman_home)
    assert only.id == first.id == again.id and only.label == "codex-alice"
    assert only.access_token == again.access_token != first.access_token


def test_same_email_name_at_another_domain_gets_its_own_label(
    dragoman_home: Path, codex: Subscription
) -> None:
    store_login(dragoman_home, codex)
    other = store_login(dragoman_home, codex, User(email="alice@elsewhere.net", account_id="acct-other"))
    assert other.label == "codex-alice-2"


def test_files_are_private_and_tokens_never_shown(dragoman_home: Path, codex: Subscription) -> None:
    account = store_login(dragoman_home, codex)
    assert stat.S_IMODE(dragoman_home.stat().st_mode) == 0o700
    assert stat.S_IMODE((dragoman_home / "dragoman.db").stat().st_mode) == 0o600
    assert account.access_token and account.refresh_token
    for shown in (repr(account), str(account)):
        assert account.access_token not in shown and account.refresh_token not in shown
    line = f"upstream said: bad token {account.access_token} / {account.refresh_token}"
    assert account.access_token not in redact(line) and account.refresh_token not in redact(line)


WRITER = textwrap.dedent(
    """
    import asyncio, sys, time
    from sqlalchemy.ext.asyncio import AsyncConnection
    from dragoman.auth.store import CredentialStore
    from dragoman.store import open_database

    real = AsyncConnection.execute

    async def stalling(self, statement, *args, **kwargs):
        result = await real(self, statement, *args, **kwargs)
        if getattr(statement, "is_update", False):
            print("written", flush=True)  # inside the transaction, not yet committed
            time.sleep(60)
        return result

    AsyncConnection.execute = stalling

    async def main():
        database = await open_database(sys.argv[1])
        facts = {"access_token": "new-access-token", "refresh_token": "new-refresh-token", "expires_at": 1.0}
        await CredentialStore(database.engine).save_tokens(int(sys.argv[2]), facts, {"note": "half"})

    asyncio.run(main())
    """
)


def test_a_process_killed_mid_write_leaves_the_previous_credential(
    dragoman_home: Path, codex: Subscription
) -> None:
    before = store_login(dragoman_home, codex)
    with subprocess.Popen(
        [sys.executable, "-c", WRITER, database_url(dragoman_home), str(before.id)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    ) as writer:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "written"
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait(timeout=10)
    assert writer.returncode == -signal.SIGKILL
    [after] = stored_logins(dragoman_home)
    assert (after.access_token, after.refresh_token, after.expires_at) == (
        before.access_token,
        before.refresh_token,
        before.expires_at,
    )
    assert "note" not in after.extra


@pytest.mark.parametrize("label", ["bad label", "123"])
def test_a_label_that_cannot_name_an_upstream_is_refused(
    dragoman_home: Path, codex: Subscription, label: str
) -> None:
    import asyncio
    from dataclasses import replace

    from dragoman.auth.store import CredentialStore
    from dragoman.store import open_database
    from dragoman.store.accounts import Account, AccountError

    async def save() -> None:
        dragoman_home.mkdir(parents=True, exist_ok=True)
        database = await open_database(database_url(dragoman_home))
        try:
            draft = replace(Account(provider="codex", auth="oauth", access_token="x" * 10), label=label)
            await CredentialStore(database.engine).save_login(draft)
        finally:
            await database.close()

    with pytest.raises(AccountError):
        asyncio.run(save())

"""Credentials on the accounts table: one row per account, renewed in place, private
files, tokens never shown, and each write whole or not at all."""

from __future__ import annotations

import asyncio
import os
import signal
import stat
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable, Coroutine
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection

from dragoman.auth.store import CredentialStore
from dragoman.observe.redact import redact
from dragoman.store import open_database
from dragoman.store.accounts import Account
from dragoman.store.keyring import KEY_FILE, new_key
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
        if getattr(statement, "is_update", False) and "access_token" in str(statement):
            print("written", flush=True)  # inside the transaction, not yet committed
            time.sleep(60)
        return result

    AsyncConnection.execute = stalling

    async def main():
        database = await open_database(sys.argv[1])
        facts = {"access_token": "new-access-token", "refresh_token": "new-refresh-token", "expires_at": 1.0}
        store = CredentialStore(database.engine, database.keys)
        await store.save_tokens(int(sys.argv[2]), facts, {"note": "half"})

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
            await CredentialStore(database.engine, database.keys).save_login(draft)
        finally:
            await database.close()

    with pytest.raises(AccountError):
        asyncio.run(save())


Write = Callable[[CredentialStore, Account], Coroutine[Any, Any, Any]]
NEW = {"access_token": "renewed-access", "refresh_token": "renewed-refresh", "expires_at": 5.0}
WRITES: dict[str, Write] = {
    "save_tokens": lambda store, account: store.save_tokens(account.id, dict(NEW), {}),
    "save_login": lambda store, account: store.save_login(replace(account, **NEW, extra={})),
    "merge_extra": lambda store, account: store.merge_extra(account.id, {"usage": {"seen_at": 5.0}}),
}


@pytest.mark.parametrize("write", sorted(WRITES))
async def test_a_write_whose_caller_is_cancelled_mid_transaction_is_stored_whole(
    dragoman_home: Path, codex: Subscription, monkeypatch: pytest.MonkeyPatch, write: str
) -> None:
    """A client that leaves while its refresh (or login, or usage) is being written must
    not take the write with it: the provider has already rotated the token."""
    account = await asyncio.to_thread(store_login, dragoman_home, codex)
    inside = asyncio.Event()
    real = AsyncConnection.execute

    async def stalling(self: AsyncConnection, statement: Any, *args: Any, **kwargs: Any) -> Any:
        result = await real(self, statement, *args, **kwargs)
        if getattr(statement, "is_update", False) and "extra" in str(statement):
            inside.set()  # written inside the transaction, not yet committed
            await asyncio.sleep(0.2)
        return result

    monkeypatch.setattr(AsyncConnection, "execute", stalling)
    database = await open_database(database_url(dragoman_home))
    try:
        caller = asyncio.ensure_future(
            WRITES[write](CredentialStore(database.engine, database.keys), account)
        )
        await asyncio.wait_for(inside.wait(), 10)
        caller.cancel()
        with pytest.raises(asyncio.CancelledError):
            await caller
    finally:
        await database.close()
    [stored] = await asyncio.to_thread(stored_logins, dragoman_home)
    if write == "merge_extra":
        assert stored.extra["usage"] == {"seen_at": 5.0}
    else:
        assert (stored.access_token, stored.refresh_token, stored.expires_at) == tuple(NEW.values())


def _stall_after_first_read(engine: Any, read: threading.Event, release: threading.Event) -> None:
    """The engine's first SELECT returns, then its worker stops until `release` (at most 2 s)."""
    fired: list[bool] = []

    def after(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not fired and statement.lstrip().upper().startswith("SELECT"):
            fired.append(True)
            read.set()
            release.wait(2)

    event.listen(engine.sync_engine, "after_cursor_execute", after)


def test_two_workers_merging_into_extra_at_once_keep_both_keys(
    dragoman_home: Path, codex: Subscription
) -> None:
    """Worker A reads the row, worker B writes its key, A writes: B's key must survive
    (a merge is one read-modify-write, never a write from a stale copy)."""
    account = store_login(dragoman_home, codex)
    url = database_url(dragoman_home)
    read, release = threading.Event(), threading.Event()

    def merge(key: str, stall: bool) -> None:
        async def run() -> None:
            database = await open_database(url)
            if stall:
                _stall_after_first_read(database.engine, read, release)
            try:
                await CredentialStore(database.engine, database.keys).merge_extra(account.id, {key: 1})
            finally:
                await database.close()

        asyncio.run(run())

    worker_a = threading.Thread(target=merge, args=("usage", True))
    worker_a.start()
    assert read.wait(10)
    merge("project", False)
    release.set()
    worker_a.join(10)
    [stored] = stored_logins(dragoman_home)
    assert (stored.extra.get("usage"), stored.extra.get("project")) == (1, 1)


def test_logging_in_again_after_the_key_was_lost_renews_the_account(
    dragoman_home: Path, codex: Subscription
) -> None:
    first = store_login(dragoman_home, codex)
    (dragoman_home / KEY_FILE).write_text(new_key() + "\n")  # the key it was sealed with, lost
    again = store_login(dragoman_home, codex)
    [only] = stored_logins(dragoman_home)
    assert only.id == first.id and only.access_token == again.access_token != first.access_token
    assert only.refresh_token == again.refresh_token

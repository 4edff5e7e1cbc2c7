"""Fresh tokens: before expiry, after a 401, single-flight across coroutines and
processes, and what a failed refresh leaves behind."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from dragoman.auth.refresh import MARGIN, STALE_AFTER, TokenKeeper, due, expired
from dragoman.auth.rows import AUTH_ERROR, REFRESH_ERROR
from dragoman.auth.status import health
from dragoman.auth.tokens import jwt_claims
from dragoman.config import ProviderConfig
from dragoman.ir.errors import AuthenticationFailed, UpstreamError
from dragoman.providers import discover
from dragoman.providers.subscription import AccountRuntime
from dragoman.providers.upstream import build_upstream
from dragoman.store.accounts import Account
from tests.auth.conftest import keeper_for
from tests.fakes.claude_oauth import ClaudeOAuthFake
from tests.fakes.oauth import FakeOAuth
from tests.subscriptions import Subscription, store_login, stored_logins


async def set_expiry(keeper: TokenKeeper, account: Account, expires_at: float) -> None:
    async with keeper.store.engine.begin() as connection:
        from sqlalchemy import update

        from dragoman.store.tables import accounts

        await connection.execute(
            update(accounts).where(accounts.c.id == account.id).values(expires_at=expires_at)
        )


def test_due_means_within_the_margin_or_stale() -> None:
    now = 1_000_000.0
    assert due(Account(provider="codex", expires_at=now + MARGIN - 1), now)
    assert not due(Account(provider="codex", expires_at=now + MARGIN + 60), now)
    assert due(Account(provider="codex", created_at=now - 9 * 86400), now)
    assert not due(Account(provider="codex", created_at=now - 86400, refreshed_at=now - 86400), now)


NOW = 1_000_000.0


def test_the_margin_and_the_staleness_limit() -> None:
    assert (MARGIN, STALE_AFTER) == (300.0, 8 * 86400.0)


@pytest.mark.parametrize(
    ("left", "refresh"),
    [(MARGIN + 1, False), (MARGIN, False), (MARGIN - 1, True), (1, True), (0, True), (-1, True)],
)
def test_a_token_is_refreshed_once_less_than_the_margin_is_left(left: float, refresh: bool) -> None:
    assert due(Account(provider="codex", expires_at=NOW + left), NOW) is refresh


@pytest.mark.parametrize(
    ("age", "refresh"), [(STALE_AFTER - 1, False), (STALE_AFTER, False), (STALE_AFTER + 1, True)]
)
def test_a_token_of_unknown_expiry_is_refreshed_once_stale(age: float, refresh: bool) -> None:
    refreshed = Account(provider="codex", created_at=0.0, refreshed_at=NOW - age)
    never_refreshed = Account(provider="codex", created_at=NOW - age)
    assert due(refreshed, NOW) is refresh and due(never_refreshed, NOW) is refresh


def test_due_and_expired_read_the_clock_when_not_told() -> None:
    assert due(Account(provider="codex", expires_at=time.time() + MARGIN - 5))
    assert not due(Account(provider="codex", expires_at=time.time() + MARGIN + 60))
    assert expired(Account(provider="codex", expires_at=time.time() - 1))
    assert not expired(Account(provider="codex", expires_at=time.time() + 60))


@pytest.mark.parametrize(("left", "gone"), [(1, False), (0, True), (-1, True), (None, False)])
def test_a_token_is_expired_from_its_expiry_on(left: float | None, gone: bool) -> None:
    expires_at = NOW + left if left is not None else None
    assert expired(Account(provider="codex", expires_at=expires_at), NOW) is gone


@pytest.fixture
def claude() -> Iterator[Subscription]:
    """Claude's expiry is its answers' `expires_in` (tests/auth/test_tokens.py)."""
    spec = discover()["claude"].oauth
    assert spec is not None
    with FakeOAuth(spec.client_id, token_format="json") as oauth, ClaudeOAuthFake(oauth) as backend:
        yield Subscription("claude", oauth, backend)


async def test_expires_in_counts_from_the_refresh_answer_not_from_the_request(claude: Subscription) -> None:
    home = Path(os.environ["DRAGOMAN_HOME"])
    account = await asyncio.to_thread(store_login, home, claude, expired=True)
    claude.oauth.refresh_delay = 0.5
    async with keeper_for(claude) as keeper:
        sent = time.time()
        fresh = await keeper.fresh(account.id)
        read = time.time()
    assert fresh.expires_at is not None
    assert sent + 0.5 + claude.oauth.lifetime <= fresh.expires_at <= read + claude.oauth.lifetime


async def test_a_refreshed_codex_token_expires_at_its_exp_claim(codex: Subscription) -> None:
    home = Path(os.environ["DRAGOMAN_HOME"])
    account = await asyncio.to_thread(store_login, home, codex, expired=True)
    async with keeper_for(codex) as keeper:
        fresh = await keeper.fresh(account.id)
    assert fresh.expires_at == float(jwt_claims(fresh.access_token)["exp"])
    [stored] = await asyncio.to_thread(stored_logins, home)
    assert stored.expires_at == fresh.expires_at


async def test_a_token_near_its_expiry_is_refreshed_first_and_a_fresh_one_is_not(codex: Subscription) -> None:
    account = await asyncio.to_thread(store_login, Path(os.environ["DRAGOMAN_HOME"]), codex)
    async with keeper_for(codex) as keeper:
        same = await keeper.fresh(account.id)
        assert same.access_token == account.access_token and codex.oauth.refreshes == 0
        await set_expiry(keeper, account, time.time() + MARGIN / 2)
        keeper.forget(account.id)
        renewed = await keeper.fresh(account.id)
    assert codex.oauth.refreshes == 1
    assert renewed.access_token != account.access_token and renewed.refresh_token != account.refresh_token
    assert renewed.expires_at is not None and renewed.expires_at > time.time() + MARGIN
    [stored] = await asyncio.to_thread(stored_logins, Path(os.environ["DRAGOMAN_HOME"]))
    assert stored.access_token == renewed.access_token and stored.refreshed_at is not None


async def test_after_a_401_the_token_is_refreshed_once_unless_someone_did_already(
    codex: Subscription,
) -> None:
    account = await asyncio.to_thread(store_login, Path(os.environ["DRAGOMAN_HOME"]), codex)
    async with keeper_for(codex) as keeper:
        first, second = await asyncio.gather(
            keeper.recover(account.id, account.access_token), keeper.recover(account.id, account.access_token)
        )
        assert codex.oauth.refreshes == 1 and first.access_token == second.access_token
        await keeper.recover(account.id, "a token nobody has any more")
    assert codex.oauth.refreshes == 1 and codex.oauth.reuses == 0


async def test_fifty_requests_on_an_expired_token_make_one_refresh(codex: Subscription) -> None:
    account = await asyncio.to_thread(store_login, Path(os.environ["DRAGOMAN_HOME"]), codex, expired=True)
    codex.oauth.refresh_delay = 0.3
    async with keeper_for(codex) as keeper:
        results = await asyncio.gather(*(keeper.fresh(account.id) for _ in range(50)))
    assert codex.oauth.refreshes == 1 and codex.oauth.reuses == 0
    assert len({result.access_token for result in results}) == 1


PROCESS = textwrap.dedent(
    """
    import asyncio, sys
    from dragoman.auth.refresh import TokenKeeper
    from dragoman.auth.store import CredentialStore
    from dragoman.config import load
    from dragoman.store import open_database

    async def main():
        settings = load()
        database = await open_database(settings.effective_database_url)
        keeper = TokenKeeper(CredentialStore(database.engine, database.keys), settings)
        print("ready", flush=True)
        sys.stdin.readline()  # both processes start together
        tokens = await asyncio.gather(*(keeper.fresh(int(sys.argv[1])) for _ in range(25)))
        print(len({t.access_token for t in tokens}), tokens[0].access_token, flush=True)
        await keeper.aclose()
        await database.close()

    asyncio.run(main())
    """
)


def test_two_processes_sharing_the_home_make_one_refresh(dragoman_home: Path, codex: Subscription) -> None:
    account = store_login(dragoman_home, codex, expired=True)
    (dragoman_home / "config.toml").write_text(codex.toml())
    codex.oauth.refresh_delay = 0.5
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    command = [sys.executable, "-c", PROCESS, str(account.id)]
    processes = [
        subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
        for _ in range(2)
    ]
    outputs = []
    try:
        for process in processes:
            assert process.stdout is not None and process.stdout.readline().strip() == "ready"
        for process in processes:
            assert process.stdin is not None
            process.stdin.write("go\n")
            process.stdin.flush()
        for process in processes:
            out, _ = process.communicate(timeout=60)
            assert process.returncode == 0
            outputs.append(out.split())
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.communicate()
    assert codex.oauth.refreshes == 1 and codex.oauth.reuses == 0
    assert [distinct for distinct, _ in outputs] == ["1", "1"]
    assert outputs[0][1] == outputs[1][1], "both processes use the one refreshed token"
    [stored] = stored_logins(dragoman_home)
    assert stored.access_token == outputs[0][1]


async def test_a_spent_refresh_token_asks_for_a_new_login(codex: Subscription) -> None:
    home = Path(os.environ["DRAGOMAN_HOME"])
    account = await asyncio.to_thread(store_login, home, codex, expired=True)
    assert account.refresh_token is not None
    codex.oauth.revoked.append(account.refresh_token)
    async with keeper_for(codex) as keeper:
        with pytest.raises(AuthenticationFailed, match="dragoman login --provider codex"):
            await keeper.fresh(account.id)
    [stored] = await asyncio.to_thread(stored_logins, home)
    assert AUTH_ERROR in stored.extra and health(stored) == "login needed"
    renewed = await asyncio.to_thread(store_login, home, codex)
    assert renewed.id == account.id and AUTH_ERROR not in renewed.extra and health(renewed) == "ok"


async def test_an_unreachable_oauth_server_keeps_a_token_that_still_works(codex: Subscription) -> None:
    home = Path(os.environ["DRAGOMAN_HOME"])
    account = await asyncio.to_thread(store_login, home, codex)
    async with keeper_for(codex) as keeper:
        await set_expiry(keeper, account, time.time() + 60)
        codex.oauth.stop()
        kept = await keeper.fresh(account.id)
        assert kept.access_token == account.access_token
        await set_expiry(keeper, account, time.time() - 1)
        keeper.forget(account.id)
        with pytest.raises(UpstreamError, match="could not be refreshed"):
            await keeper.fresh(account.id)


async def test_a_failed_refresh_marks_the_health_until_one_succeeds(codex: Subscription) -> None:
    home = Path(os.environ["DRAGOMAN_HOME"])
    account = await asyncio.to_thread(store_login, home, codex)
    codex.oauth.refresh_failure = (503, {"error": "temporarily_unavailable", "error_description": "busy"})
    async with keeper_for(codex) as keeper:
        await set_expiry(keeper, account, time.time() + 60)
        kept = await keeper.fresh(account.id)
        assert kept.access_token == account.access_token, "the token still works: it is used"
        [stored] = await asyncio.to_thread(stored_logins, home)
        assert health(stored) == "refresh failed" and "busy" in stored.extra[REFRESH_ERROR]
        codex.oauth.refresh_failure = None
        keeper.forget(account.id)
        renewed = await keeper.fresh(account.id)
    [stored] = await asyncio.to_thread(stored_logins, home)
    assert renewed.access_token != account.access_token
    assert health(stored) == "ok" and REFRESH_ERROR not in stored.extra


async def test_a_refresh_asked_for_reports_an_unreachable_oauth_server(codex: Subscription) -> None:
    account = await asyncio.to_thread(store_login, Path(os.environ["DRAGOMAN_HOME"]), codex)
    async with keeper_for(codex) as keeper:
        codex.oauth.stop()
        [outcome] = await keeper.refresh_each([account])
    assert outcome["ok"] is False and "could not be refreshed" in outcome["error"]


class CountingSetup(AccountRuntime):
    def __init__(self) -> None:
        self.calls = 0

    async def setup(self, account: Account, client: httpx.AsyncClient, base_url: str) -> dict[str, Any]:
        self.calls += 1
        await asyncio.sleep(0.05)
        return {"project": f"project-of-{account.email}"}


async def test_setup_runs_once_per_account_and_is_stored(codex: Subscription) -> None:
    home = Path(os.environ["DRAGOMAN_HOME"])
    account = await asyncio.to_thread(store_login, home, codex)
    runtime = CountingSetup()
    upstream = build_upstream(account.label, ProviderConfig(kind="codex"), account_id=account.id)
    upstream = replace(upstream, spec=replace(upstream.spec, runtime=runtime))
    async with keeper_for(codex) as keeper, httpx.AsyncClient() as client:
        ready = await asyncio.gather(*(keeper.ready(upstream, client) for _ in range(10)))
        assert runtime.calls == 1 and all(a.extra["project"] == "project-of-alice@example.com" for a in ready)
    async with keeper_for(codex) as keeper, httpx.AsyncClient() as client:
        await keeper.ready(upstream, client)
    assert runtime.calls == 1, "the stored result is used by the next process"
    assert discover()["codex"].runtime is not runtime


async def test_every_refresh_is_told_with_its_outcome_for_the_metrics(codex: Subscription) -> None:
    home = Path(os.environ["DRAGOMAN_HOME"])
    account = await asyncio.to_thread(store_login, home, codex)
    told: list[tuple[str, str]] = []
    codex.oauth.refresh_failure = (503, {"error": "temporarily_unavailable", "error_description": "busy"})
    async with keeper_for(codex, on_refresh=lambda label, outcome: told.append((label, outcome))) as keeper:
        await set_expiry(keeper, account, time.time() + 60)
        await keeper.fresh(account.id)
        codex.oauth.refresh_failure = None
        keeper.forget(account.id)
        renewed = await keeper.fresh(account.id)
        assert renewed.refresh_token is not None
        codex.oauth.revoked.append(renewed.refresh_token)
        with pytest.raises(AuthenticationFailed):
            await keeper.refresh(account.id, force=True)
    assert told == [(account.label, "failed"), (account.label, "ok"), (account.label, "refused")]

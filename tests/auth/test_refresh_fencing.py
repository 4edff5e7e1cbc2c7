"""Refreshes across replicas that share Redis: one refresh for a burst over many
replicas, and a holder whose lock ran out mid-refresh never overwrites newer tokens."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from pathlib import Path

import pytest

from dragoman.auth.refresh import TokenKeeper
from dragoman.auth.rows import AUTH_ERROR, FENCE, StaleFence, fence_of
from dragoman.auth.store import CredentialStore
from dragoman.config import load
from dragoman.state import State, open_state
from dragoman.state.redis.locks import RedisLocks
from dragoman.store import open_database
from tests.auth.conftest import keeper_for
from tests.state.conftest import REDIS_URL, redis_prefix
from tests.subscriptions import Subscription, database_url, store_login, stored_logins

Start = Callable[[], Awaitable[tuple[State, TokenKeeper]]]


@pytest.fixture
async def replicas(codex: Subscription) -> AsyncIterator[Start]:
    """Start replicas: each a state on one Redis prefix and a TokenKeeper using its locks."""
    with redis_prefix() as prefix:
        async with AsyncExitStack() as stack:

            async def start() -> tuple[State, TokenKeeper]:
                state = await stack.enter_async_context(
                    open_state(None, redis_url=REDIS_URL, redis_prefix=prefix)
                )
                keeper = await stack.enter_async_context(keeper_for(codex, locks=state.locks))
                return state, keeper

            yield start


def _home() -> Path:
    return Path(os.environ["DRAGOMAN_HOME"])


async def test_a_burst_over_three_replicas_makes_one_refresh(codex: Subscription, replicas: Start) -> None:
    account = await asyncio.to_thread(store_login, _home(), codex, expired=True)
    codex.oauth.refresh_delay = 0.2
    keepers = [(await replicas())[1] for _ in range(3)]
    results = await asyncio.gather(*(keepers[n % 3].fresh(account.id) for n in range(30)))
    assert codex.oauth.refreshes == 1 and codex.oauth.reuses == 0
    assert len({result.access_token for result in results}) == 1
    [stored] = await asyncio.to_thread(stored_logins, _home())
    assert fence_of(stored) >= 1


async def test_a_write_with_an_older_fence_is_refused_and_changes_nothing(codex: Subscription) -> None:
    account = await asyncio.to_thread(store_login, _home(), codex)
    async with keeper_for(codex) as keeper:
        await keeper.store.save_tokens(account.id, {"access_token": "newer"}, {}, fence=5)
        with pytest.raises(StaleFence):
            await keeper.store.save_tokens(account.id, {"access_token": "older"}, {}, fence=4)
        stored = await keeper.store.get(account.id)
    assert stored is not None and stored.access_token == "newer" and stored.extra[FENCE] == 5


async def test_a_holder_whose_lock_ran_out_keeps_the_newer_tokens(
    codex: Subscription, replicas: Start
) -> None:
    account = await asyncio.to_thread(store_login, _home(), codex, expired=True)
    (slow_state, slow), (quick_state, quick) = await replicas(), await replicas()
    assert isinstance(slow_state.locks, RedisLocks)
    slow_state.locks.lease_ms = 150  # and its renewals stalled: a replica paused mid-refresh
    slow_state.locks.renew = _never  # type: ignore[method-assign]
    codex.oauth.refresh_gate = threading.Event()
    stale = asyncio.create_task(slow.fresh(account.id))
    assert await asyncio.to_thread(codex.oauth.refresh_arrived.wait, 30)  # under its lock
    # Taking the lock here waits until the stalled lease has run out on Redis.
    async with quick_state.locks.hold(f"account-{account.id}") as lease:
        fence = await lease.fence_above(fence_of(account))
        await quick.store.save_tokens(account.id, {"access_token": "written-later"}, {}, fence)
    codex.oauth.refresh_gate.set()  # only now does the stale refresh come back
    answer = await stale
    [stored] = await asyncio.to_thread(stored_logins, _home())
    assert stored.access_token == answer.access_token == "written-later"
    assert codex.oauth.refreshes == 1  # the stale one did refresh; its answer was dropped


async def test_a_redis_that_lost_its_counters_does_not_lock_a_login_out(
    codex: Subscription, replicas: Start
) -> None:
    account = await asyncio.to_thread(store_login, _home(), codex, expired=True)
    async with keeper_for(codex) as keeper:
        await keeper.store.merge_extra(account.id, {FENCE: 57})  # written before Redis restarted empty
    _, fresh_keeper = await replicas()
    renewed = await fresh_keeper.fresh(account.id)
    assert renewed.access_token != account.access_token and fence_of(renewed) == 58


async def _never(keys: list[str], args: list[object]) -> int:
    return 0


async def test_a_command_beside_the_replicas_takes_turns_with_them_on_redis(
    codex: Subscription, replicas: Start
) -> None:
    """`dragoman status` and the like run no state service: their keeper opens the
    Redis lock of the replicas' config all the same (a home of their own: no file lock
    is shared, as on another host)."""
    account = await asyncio.to_thread(store_login, _home(), codex, expired=True)
    codex.oauth.refresh_delay = 0.2
    state, replica = await replicas()
    assert isinstance(state.locks, RedisLocks)
    place = {"redis_url": REDIS_URL, "redis_prefix": state.locks.link.prefix, "oauth": codex.settings()}
    settings = load(home=_home() / "elsewhere", overrides={**place, "database_url": database_url(_home())})
    database = await open_database(settings.effective_database_url)
    command = TokenKeeper(CredentialStore(database.engine, database.keys), settings)
    try:
        assert isinstance(command.locks, RedisLocks)
        results = await asyncio.gather(*(keeper.fresh(account.id) for keeper in [command, replica] * 10))
    finally:
        await command.aclose()
        await database.close()
    assert codex.oauth.refreshes == 1 and codex.oauth.reuses == 0
    assert len({result.access_token for result in results}) == 1


async def test_replicas_locking_apart_take_the_tokens_of_the_one_that_refreshed_first(
    codex: Subscription,
) -> None:
    """Redis down: each replica locks on its own host only, so two refresh with the same
    token at once. The provider refuses the second as reused; its replica takes the
    tokens the first stored rather than asking for a new login."""
    account = await asyncio.to_thread(store_login, _home(), codex, expired=True)
    codex.oauth.refresh_delay = 0.3
    apart = [open_state(None).locks, open_state(None).locks]  # the memory backend's: one process's
    async with keeper_for(codex, locks=apart[0]) as one, keeper_for(codex, locks=apart[1]) as other:
        results = await asyncio.gather(one.fresh(account.id), other.fresh(account.id))
    assert codex.oauth.refreshes == 1 and codex.oauth.reuses == 1
    [stored] = await asyncio.to_thread(stored_logins, _home())
    assert {result.access_token for result in results} == {stored.access_token}
    assert stored.access_token != account.access_token and AUTH_ERROR not in stored.extra

"""A refresh, once sent, completes and is stored whatever happens to the request that
started it: a client leaving mid-refresh must not leave the account with a refresh
token the provider has already rotated away."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import httpx
import pytest

from tests.auth.conftest import keeper_for
from tests.fakes import Reply
from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import serve_gateway
from tests.subscriptions import Subscription, store_login, stored_logins

MODEL = "gpt-5.5"
BODY = {"model": MODEL, "messages": [{"role": "user", "content": "hi"}]}


async def _leave_after(root: str, seconds: float) -> None:
    """A client that gives up (closes its connection) after `seconds`."""
    async with httpx.AsyncClient(base_url=root, timeout=seconds) as client:
        try:
            await client.post("/v1/chat/completions", json=BODY)
        except httpx.TimeoutException:
            return
    raise AssertionError("the request should still have been waiting for the refresh")


def test_a_client_leaving_mid_refresh_keeps_the_rotated_login(
    codex: Subscription, dragoman_home: Path, fakes: FakeUpstreams
) -> None:
    before = store_login(dragoman_home, codex, expired=True)
    codex.oauth.refresh_delay = 2.0
    codex.backend.script(Reply(text="after the refresh"))
    with serve_gateway(fakes, providers={}, oauth=codex.settings()) as root:
        asyncio.run(_leave_after(root, 0.6))
        deadline = time.monotonic() + 10
        while codex.oauth.refreshes == 0 and time.monotonic() < deadline:
            time.sleep(0.05)  # the provider answers (and rotates) after the client left
        answer = httpx.post(f"{root}/v1/chat/completions", json=BODY, timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.json()["choices"][0]["message"]["content"] == "after the refresh"
    assert codex.oauth.refreshes == 1 and codex.oauth.reuses == 0
    [after] = stored_logins(dragoman_home)
    assert after.refresh_token != before.refresh_token
    assert codex.oauth.refresh_tokens[after.refresh_token or ""][1] is False, "the stored token is unspent"
    assert codex.backend.last.header("authorization") == f"Bearer {after.access_token}"


async def test_a_cancelled_caller_leaves_its_refresh_to_finish_and_be_stored(codex: Subscription) -> None:
    home = Path(os.environ["DRAGOMAN_HOME"])
    before = await asyncio.to_thread(store_login, home, codex, expired=True)
    codex.oauth.refresh_delay = 0.5
    async with keeper_for(codex) as keeper:
        caller = asyncio.ensure_future(keeper.fresh(before.id))
        await asyncio.sleep(0.2)  # the refresh token is on its way to the provider
        caller.cancel()
        with pytest.raises(asyncio.CancelledError):
            await caller
        keeper.forget(before.id)
        again = await keeper.fresh(before.id)
    [stored] = await asyncio.to_thread(stored_logins, home)
    assert codex.oauth.refreshes == 1 and codex.oauth.reuses == 0
    assert stored.refresh_token != before.refresh_token and stored.access_token == again.access_token


async def test_callers_share_a_refresh_one_of_them_left(codex: Subscription) -> None:
    home = Path(os.environ["DRAGOMAN_HOME"])
    before = await asyncio.to_thread(store_login, home, codex, expired=True)
    codex.oauth.refresh_delay = 0.5
    async with keeper_for(codex) as keeper:
        leaving, staying = (asyncio.ensure_future(keeper.fresh(before.id)) for _ in range(2))
        await asyncio.sleep(0.2)
        leaving.cancel()
        fresh = await staying
        assert leaving.cancelled()
    [stored] = await asyncio.to_thread(stored_logins, home)
    assert codex.oauth.refreshes == 1 and codex.oauth.reuses == 0
    assert fresh.access_token == stored.access_token and fresh.refresh_token == stored.refresh_token


async def test_closing_the_keeper_waits_for_a_refresh_whose_caller_left(codex: Subscription) -> None:
    home = Path(os.environ["DRAGOMAN_HOME"])
    before = await asyncio.to_thread(store_login, home, codex, expired=True)
    codex.oauth.refresh_delay = 0.5
    async with keeper_for(codex) as keeper:
        caller = asyncio.ensure_future(keeper.fresh(before.id))
        await asyncio.sleep(0.2)
        caller.cancel()
    [stored] = await asyncio.to_thread(stored_logins, home)
    assert codex.oauth.refreshes == 1 and stored.refresh_token != before.refresh_token

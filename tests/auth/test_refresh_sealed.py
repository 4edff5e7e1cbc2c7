"""The token keeper over sealed logins: each decrypted once, then served from memory;
one whose seal no key opens fails as an upstream error naming what to do."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from dragoman.ir.errors import UpstreamError
from dragoman.store import sealing
from dragoman.store.keyring import KEY_FILE, new_key
from tests.auth.conftest import keeper_for
from tests.subscriptions import Subscription, store_login


async def test_a_login_is_decrypted_once_then_served_from_memory(
    codex: Subscription, monkeypatch: pytest.MonkeyPatch
) -> None:
    account = await asyncio.to_thread(store_login, Path(os.environ["DRAGOMAN_HOME"]), codex)
    opened: list[str] = []
    real = sealing._decrypt

    def counted(key: bytes, body: str, context: str, what: str) -> str:
        opened.append(context)
        return real(key, body, context, what)

    monkeypatch.setattr(sealing, "_decrypt", counted)
    async with keeper_for(codex) as keeper:
        tokens = {(await keeper.fresh(account.id)).access_token for _ in range(100)}
    assert tokens == {account.access_token}
    # One load: its access token, refresh token and extra, each opened once.
    assert sorted(opened) == sorted(
        f"dragoman/accounts/{account.id}/{name}" for name in ("access_token", "refresh_token", "extra")
    )


async def test_a_login_no_key_opens_is_an_upstream_error_saying_what_to_do(codex: Subscription) -> None:
    home = Path(os.environ["DRAGOMAN_HOME"])
    account = await asyncio.to_thread(store_login, home, codex)
    (home / KEY_FILE).write_text(new_key() + "\n")  # the key it was sealed with, lost
    async with keeper_for(codex) as keeper:
        with pytest.raises(UpstreamError) as caught:
            await keeper.fresh(account.id)
    message = caught.value.message
    assert message.startswith(
        f"the stored login of account {account.id} cannot be read: the access_token of account"
    )
    assert "remove the account and add it (or log in) again" in message

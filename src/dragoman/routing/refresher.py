"""Keeping a running gateway's registry current, without a restart.

Accounts added or removed with `dragoman accounts`, and their pool policies changed
(`also`), are seen within a few seconds (a
cheap read of the small accounts table, or only a look at its file while the database
holds none: dragoman.store.source); live model lists are read after start and
every `model_refresh_seconds`, and at once for an upstream that just appeared. Each
change builds a new registry and hands it over whole through `publish`: a request sees
the old registry or the new one, never half of each, and never waits for either. A
model whose primary upstream changes with it (its upstream removed, or no longer
listing it) is logged: what serves a model never changes silently.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace

from dragoman.config import Settings
from dragoman.providers.http import UpstreamClients
from dragoman.routing.catalog import Catalog
from dragoman.routing.registry import Registry
from dragoman.store.accounts import Account, AccountReader

log = logging.getLogger("dragoman.routing")

ACCOUNT_POLL_SECONDS = 2.0


class Refresher:
    def __init__(
        self,
        catalog: Catalog,
        store: AccountReader,
        clients: UpstreamClients,
        publish: Callable[[Registry], None],
        poll_seconds: float = ACCOUNT_POLL_SECONDS,
        also: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        """`also`: read beside the accounts on every poll (the pool policy overrides)."""
        self.catalog = catalog
        self.store = store
        self.clients = clients
        self.publish = publish
        self.poll_seconds = poll_seconds
        self.also = also
        self._primaries = catalog.registry().primaries()
        self._new_upstreams = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._watch_accounts(), name="dragoman-accounts"),
            asyncio.create_task(self._refresh_lists(), name="dragoman-model-lists"),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []

    async def _watch_accounts(self) -> None:
        while True:
            await asyncio.sleep(self.poll_seconds)
            try:
                if self.also is not None:
                    await self.also()
                accounts = await self.store.list()
            except Exception as error:  # a locked or vanished database: try again later
                log.debug("the accounts could not be read: %s", error)
                continue
            if _serving(accounts) == _serving(self.catalog.accounts):
                continue
            try:
                self._accounts_changed(accounts)
            except Exception:  # a bug here must not end the watch for the rest of the run
                log.exception("the changed accounts could not be served")

    def reconfigured(self, settings: Settings) -> None:
        """config.toml changed: serve its providers and models (`Catalog.reconfigure`).
        Raises ConfigError, changing nothing, for a provider that cannot be built."""
        self._changed("config.toml", lambda: self.catalog.reconfigure(settings))

    def _accounts_changed(self, accounts: list[Account]) -> None:
        self._changed("accounts", lambda: self.catalog.set_accounts(accounts))

    def _changed(self, what: str, change: Callable[[], None]) -> None:
        before = {upstream.name for upstream in self.catalog.sources()}
        change()
        now = {upstream.name for upstream in self.catalog.sources()}
        self._publish(self.catalog.registry())
        log.info("%s changed: %s", what, _describe(now - before, before - now))
        if now - before:
            self._new_upstreams.set()  # their live model lists are read at once

    async def _refresh_lists(self) -> None:
        everything = True
        while True:
            upstreams = self.catalog.sources()
            if not everything:
                upstreams = [up for up in upstreams if up.name not in self.catalog.live.models]
            if await self.catalog.live.refresh(self.clients, upstreams):
                self._publish(self.catalog.registry())
            everything = await self._next_round()

    def _publish(self, registry: Registry) -> None:
        primaries = registry.primaries()
        for model_id, was in self._primaries.items():
            now = primaries.get(model_id)
            if now is not None and now != was:
                log.info("model %s is now served by %s (was %s)", model_id, now, was)
        self._primaries = primaries
        self.publish(registry)

    async def _next_round(self) -> bool:
        """Wait for the next refresh; True when it is the periodic one (every list),
        False when new upstreams woke it (only theirs)."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.catalog.settings.model_refresh_seconds):
                await self._new_upstreams.wait()
                self._new_upstreams.clear()
                return False
        return True


def _serving(accounts: list[Account]) -> list[Account]:
    """What of the accounts decides the upstreams: not a login's tokens and bookkeeping,
    which change with every refresh and are read per request (dragoman.auth)."""
    return [
        replace(account, access_token=None, refresh_token=None, expires_at=None, refreshed_at=None, extra={})
        if account.auth == "oauth"
        else account
        for account in accounts
    ]


def _describe(added: set[str], removed: set[str]) -> str:
    parts = [f"now serving {', '.join(sorted(added))}"] if added else []
    parts += [f"no longer serving {', '.join(sorted(removed))}"] if removed else []
    return "; ".join(parts) or "same upstreams, new settings"

"""Every upstream the gateway knows, by where it came from, and the registry built
from them with their live model lists.

Order is priority: configured providers first, then accounts in creation order, then a
detected Ollama. A name already taken keeps its first holder (the later one is logged
once and left out), so a client's `name/model` always means one upstream.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Mapping

from dragoman.config import Settings
from dragoman.ir.models import ModelInfo
from dragoman.providers.ollama import SPEC as OLLAMA
from dragoman.providers.upstream import Upstream, build_upstreams, skipped_providers
from dragoman.routing.live import LiveLists, added_ids, merge, wants_live
from dragoman.routing.registry import Registry
from dragoman.routing.sources import account_upstreams, detect_ollama, wants_ollama
from dragoman.routing.unserved import Unserved, unserved_provider
from dragoman.store.accounts import Account, AccountReader
from dragoman.store.source import AccountSource

log = logging.getLogger("dragoman.routing")


class Catalog:
    """The upstreams by source; `registry()` builds what the gateway serves from them."""

    def __init__(
        self, settings: Settings, configured: list[Upstream], environ: Mapping[str, str] = os.environ
    ) -> None:
        self.settings = settings
        self.environ = environ
        self.configured = configured
        # Known but not served, with why: provider tables without their key, broken accounts.
        self.skipped = [
            unserved_provider(item.name, settings.providers[item.name], item.reason, environ)
            for item in skipped_providers(settings, environ)
        ]
        self.accounts: list[Account] = []
        self.from_accounts: list[Upstream] = []
        self.unserved_accounts: list[Unserved] = []
        self.detected: Upstream | None = None
        self.looked_for_ollama = False
        self.loaded = False
        self.live = LiveLists()
        self._shadowed: set[str] = set()

    def set_accounts(self, accounts: list[Account]) -> None:
        """Serve these accounts from now on (the table as last read)."""
        self.accounts = accounts
        self.from_accounts, self.unserved_accounts = account_upstreams(accounts, self.settings, self.environ)
        self.live.forget({upstream.name for upstream in self.sources()})

    def reconfigure(self, settings: Settings) -> None:
        """Serve the `[providers.NAME]` tables and `[models]` of these settings from now
        on (config.toml changed). Raises ConfigError, changing nothing, for a provider
        that cannot be built."""
        configured = build_upstreams(settings, self.environ)
        self.settings, self.configured = settings, configured
        self.set_accounts(self.accounts)

    def set_ollama(self, found: tuple[Upstream, tuple[ModelInfo, ...]] | None) -> None:
        self.looked_for_ollama = True
        if found is not None:
            upstream, models = found
            self.detected = upstream
            self.live.models[upstream.name] = models

    def sources(self) -> list[Upstream]:
        """The upstreams as configured, stored or found, in priority order, names unique."""
        chosen: dict[str, Upstream] = {}
        for upstream in [*self.configured, *self.from_accounts, *self._ollama()]:
            if upstream.name not in chosen:
                chosen[upstream.name] = upstream
            elif upstream.name not in self._shadowed:
                self._shadowed.add(upstream.name)
                log.warning(
                    "two upstreams are named %r: only the first (by priority) is served", upstream.name
                )
        return list(chosen.values())

    def upstreams(self) -> list[Upstream]:
        """`sources()` with their live model lists merged in."""
        return [merge(upstream, self.live.models.get(upstream.name)) for upstream in self.sources()]

    def registry(self) -> Registry:
        sources = self.sources()
        live_only = {up.name: added_ids(up, self.live.models.get(up.name)) for up in sources}
        merged = [merge(up, self.live.models.get(up.name)) for up in sources]
        unserved = [*self.skipped, *self.unserved_accounts]
        return Registry(merged, self.settings.models, live_only, unserved=unserved)

    def unlisted(self) -> list[str]:
        """The upstreams whose live model list is still to be read."""
        return [up.name for up in self.sources() if wants_live(up) and up.name not in self.live.models]

    def trial(self, settings: Settings) -> Catalog:
        """A catalog of these settings with this one's accounts, Ollama and live lists,
        this one unchanged: what a changed config.toml would serve. Raises ConfigError."""
        trial = Catalog(settings, build_upstreams(settings, self.environ), self.environ)
        trial.detected, trial.looked_for_ollama = self.detected, self.looked_for_ollama
        trial.live.models.update(self.live.models)
        trial.set_accounts(self.accounts)
        return trial

    async def load(self, store: AccountReader | None) -> None:
        """Read the accounts and, once, look for a local Ollama: both at the same time,
        so the look (at most a few hundred ms) adds nothing to a slow database."""
        look = wants_ollama(self.settings) and not self.looked_for_ollama
        accounts, found = await asyncio.gather(
            store.list() if store is not None else _nothing(),
            detect_ollama(self.settings, self.environ) if look else _none(),
        )
        if look:
            self.set_ollama(found)
        self.set_accounts(accounts)
        self.loaded = True

    def _ollama(self) -> list[Upstream]:
        # An Ollama account serves it already: the detected one would only repeat it.
        if self.detected is None or any(up.spec.kind == OLLAMA.kind for up in self.from_accounts):
            return []
        return [self.detected]


async def load_catalog(settings: Settings, environ: Mapping[str, str] = os.environ) -> Catalog:
    """What a starting gateway serves: the config, the accounts, a local Ollama.
    Raises ConfigError for a provider table that cannot be built."""
    catalog = Catalog(settings, build_upstreams(settings, environ), environ)
    source = AccountSource(settings.effective_database_url, settings.home, options=settings.database)
    try:
        await catalog.load(source)
    finally:
        await source.close()
    return catalog


async def _nothing() -> list[Account]:
    return []


async def _none() -> None:
    return None

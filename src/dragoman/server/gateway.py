"""What every request handler shares: settings, the model registry, upstream clients.

`registry` is replaced whole while serving (accounts added, live lists read): a handler
reads `gateway.registry` once per request and keeps what it got.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dragoman.auth.refresh import TokenKeeper
from dragoman.auth.store import CredentialStore
from dragoman.config import Settings
from dragoman.providers.http import UpstreamClients
from dragoman.routing.catalog import Catalog
from dragoman.routing.refresher import Refresher
from dragoman.routing.registry import Registry
from dragoman.store import Database
from dragoman.store.accounts import AccountStore


@dataclass(slots=True)
class Gateway:
    settings: Settings
    registry: Registry
    clients: UpstreamClients = field(default_factory=UpstreamClients)
    database: Database | None = None
    catalog: Catalog | None = None
    refresher: Refresher | None = None
    # Fresh tokens for subscription accounts; there once the database is open.
    auth: TokenKeeper | None = None

    async def start(self) -> None:
        """With the database open: serve the stored accounts and a local Ollama (unless
        `load_gateway` read them already), then keep the registry current in the background."""
        if self.database is not None and self.auth is None:
            self.auth = TokenKeeper(CredentialStore(self.database.engine), self.settings)
        if self.catalog is None or self.database is None:
            return
        store = AccountStore(self.database.engine)
        if not self.catalog.loaded:
            await self.catalog.load(store)
            self.publish(self.catalog.registry())
        self.refresher = Refresher(self.catalog, store, self.clients, self.publish)
        self.refresher.start()

    def publish(self, registry: Registry) -> None:
        self.registry = registry

    async def aclose(self) -> None:
        if self.refresher is not None:
            await self.refresher.stop()
        if self.auth is not None:
            await self.auth.aclose()
        await self.clients.aclose()
        if self.database is not None:
            await self.database.close()

"""What every request handler shares: settings, the model registry, upstream clients,
the runtime state and the account pools chosen from.

`registry` is replaced whole while serving (accounts added, live lists read): a handler
reads `gateway.registry` once per request and keeps what it got. `state` and `selector`
exist once the app has started (`start`): the state is kept in the home folder, shared
by every `serve --workers` process.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dragoman.auth.refresh import TokenKeeper
from dragoman.config import Settings
from dragoman.observe.traces.tracer import Tracer
from dragoman.pools import AccountPolicy, Selector
from dragoman.providers.http import UpstreamClients
from dragoman.routing.catalog import Catalog
from dragoman.routing.refresher import Refresher
from dragoman.routing.registry import Registry
from dragoman.state import State, open_state
from dragoman.store.source import AccountSource

if TYPE_CHECKING:
    from dragoman.store.db import Database


@dataclass(slots=True)
class Gateway:
    settings: Settings
    registry: Registry
    clients: UpstreamClients = field(default_factory=UpstreamClients)
    catalog: Catalog | None = None
    refresher: Refresher | None = None
    # The stored accounts; the database behind them opens once it holds any.
    accounts: AccountSource | None = None
    # Fresh tokens for subscription accounts; there once the database is open.
    auth: TokenKeeper | None = None
    # Cooldowns, windows, bindings, in-flight counts; and the pools chosen from over them.
    state: State | None = None
    selector: Selector | None = None
    # Every model request's trace (`[traces] enabled`); started with the app.
    tracer: Tracer | None = None

    @property
    def database(self) -> Database | None:
        return self.accounts.database if self.accounts is not None else None

    async def start(self) -> None:
        """Open the database if it holds accounts (else it opens when the first one comes),
        serve them and a local Ollama (unless `load_gateway` read them already), then keep
        the registry current in the background."""
        await self._start_pools()
        self._start_traces()
        self.accounts = AccountSource(self.settings.effective_database_url, self._opened)
        await self.accounts.store()
        if self.catalog is None:
            return
        if not self.catalog.loaded:
            await self.catalog.load(self.accounts)
            self.publish(self.catalog.registry())
        self.refresher = Refresher(self.catalog, self.accounts, self.clients, self.publish)
        self.refresher.start()

    def publish(self, registry: Registry) -> None:
        self.registry = registry
        if self.selector is not None:
            self.selector.configure(policies=policies(registry))

    async def _start_pools(self) -> None:
        self.state = open_state(self.settings, workers=self.settings.workers > 1)
        await self.state.start()
        self.selector = Selector(self.state, self.settings.pools, policies(self.registry))

    def _start_traces(self) -> None:
        if not self.settings.traces.enabled:
            return
        feed = self.state.feed if self.state is not None else None
        self.tracer = Tracer(self.settings, feed, self._provider_of)
        self.tracer.start()

    def _provider_of(self, account: str | None) -> str | None:
        upstream = self.registry.upstream(account) if account is not None else None
        return upstream.spec.kind if upstream is not None else None

    async def aclose(self) -> None:
        if self.tracer is not None:
            await self.tracer.stop()
        if self.refresher is not None:
            await self.refresher.stop()
        if self.auth is not None:
            await self.auth.aclose()
        await self.clients.aclose()
        if self.accounts is not None:
            await self.accounts.close()
        if self.state is not None:
            await self.state.stop()

    def _opened(self, database: Database) -> None:
        # SQLAlchemy is loaded now that the database is open; not before.
        from dragoman.auth.store import CredentialStore

        self.auth = TokenKeeper(CredentialStore(database.engine), self.settings)


def policies(registry: Registry) -> dict[str, AccountPolicy]:
    """Each account's pool policy, by its label."""
    return {upstream.name: upstream.policy for upstream in registry.upstreams}

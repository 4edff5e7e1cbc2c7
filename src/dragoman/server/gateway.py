"""What every request handler shares: settings, the model registry, upstream clients,
the runtime state and the account pools chosen from.

`registry` is replaced whole while serving (accounts added, live lists read): a handler
reads `gateway.registry` once per request and keeps what it got. `state` and `selector`
exist once the app has started (`start`): the state is kept in the home folder, shared
by every `serve --workers` process.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dragoman.auth.refresh import TokenKeeper
from dragoman.config import Settings
from dragoman.config.origin import ConfigOrigin
from dragoman.observe.traces.tracer import Tracer
from dragoman.policy import Policy
from dragoman.policy.key_options import local_key
from dragoman.policy.keys import KeyRing
from dragoman.policy.served import check_served
from dragoman.pools import AccountPolicy, Selector
from dragoman.pools.usage import from_endpoint
from dragoman.providers.connection_cap import ConnectionCap
from dragoman.providers.http import UpstreamClients
from dragoman.routing.catalog import Catalog
from dragoman.routing.live import ListLogin
from dragoman.routing.refresher import Refresher
from dragoman.routing.registry import Registry
from dragoman.server.client_logins import ClientLogins
from dragoman.server.config_watch import ConfigWatch
from dragoman.server.responses.keeper import Keeper
from dragoman.server.upstream_call import login_headers
from dragoman.state import State, open_state
from dragoman.store.policies import PolicyOverride, effective
from dragoman.store.source import AccountSource

if TYPE_CHECKING:
    from dragoman.batches.runner import BatchRunner
    from dragoman.observe.metrics import Metrics
    from dragoman.providers.subscription import UsageWindow
    from dragoman.providers.upstream import Upstream
    from dragoman.store.db import Database
    from dragoman.store.local_keys import StoredKey

log = logging.getLogger("dragoman.server")


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
    # Stored Responses (`server.responses`); started with the app.
    responses: Keeper | None = None
    # The usage windows of the Claude logins clients bring (`auth = "client"`), kept in
    # the runtime state (every worker and replica sees each login's); there once it opens.
    client_logins: ClientLogins | None = None
    # Where the settings were read from (`serve`): the file is then watched while serving.
    origin: ConfigOrigin | None = None
    watch: ConfigWatch | None = None
    # Pool policies changed by `accounts set` or the admin API, by label (store.policies).
    overrides: dict[str, PolicyOverride] = field(default_factory=dict)
    # Bumped by each change made here: a read begun before it must not undo it.
    policy_changes: int = 0
    # Prometheus metrics, once the app is built (`server.app.create_app`).
    metrics: Metrics | None = None
    # The routing rules and `auto` (`dragoman.policy`), rebuilt with the settings.
    policy: Policy = field(init=False)
    # Every local key accepted: the config's admin keys, and the stored named keys, read
    # again with the pool policies (every few seconds) and at once after a change here.
    key_ring: KeyRing = field(init=False)
    stored_keys: list[StoredKey] = field(default_factory=list)
    key_changes: int = 0
    # Anthropic message batches answered in the background (`dragoman.batches`).
    batches: BatchRunner | None = None

    def __post_init__(self) -> None:
        self.policy = Policy(self.settings.auto, self.settings.routing)
        self.clients.cap = ConnectionCap(
            self.settings.upstream_connections_per_host, self.settings.upstream_queue_seconds
        )
        admin = local_key("", self.settings.admin_limits, self.settings.time_zone, admin=True)
        self.key_ring = KeyRing(self.settings.key_values(), admin)

    @property
    def database(self) -> Database | None:
        return self.accounts.database if self.accounts is not None else None

    async def start(self) -> None:
        """Open the database if it holds accounts (else it opens when the first one comes),
        serve them and a local Ollama (unless `load_gateway` read them already), then keep
        the registry current in the background."""
        await self._start_pools()
        self._start_traces()
        url, options = self.settings.effective_database_url, self.settings.database
        self.responses = Keeper(url, self.settings.responses.keep_days, options)
        self.responses.start()
        self.accounts = AccountSource(url, self.settings.home, self._opened, options)
        await self.accounts.store()
        await self.reload_stored()
        self._start_batches()
        if self.catalog is None:
            return
        if not self.catalog.loaded:
            await self.catalog.load(self.accounts)
            self.publish(self.catalog.registry())
        self.refresher = Refresher(
            self.catalog, self.accounts, self.clients, self.publish, also=self.reload_stored
        )
        self.refresher.start()
        if self.origin is not None:
            self.watch = ConfigWatch(self.origin, self.settings, self.reconfigure, self.catalog.environ)
            self.watch.start()

    def reconfigure(self, settings: Settings) -> None:
        """Serve these settings' pools, providers and models from now on (config.toml
        changed: `server.config_watch`). Raises ConfigError, changing nothing, for a
        provider that cannot be built or a model the routing config names that nothing
        could serve (`policy.served`)."""
        if self.catalog is not None:
            trial = self.catalog.trial(settings)
            check_served(settings, trial.registry(), trial.unlisted())
        if self.refresher is not None:
            self.refresher.reconfigured(settings)  # publishes the new registry
        pools_changed = settings.pools != self.settings.pools
        if (settings.auto, settings.routing) != (self.settings.auto, self.settings.routing):
            self.policy = Policy(settings.auto, settings.routing, self.policy.bindings)
        self.settings = settings
        if self.selector is not None and pools_changed:  # else first-byte times are kept
            self.selector.configure(settings=settings.pools)

    def publish(self, registry: Registry) -> None:
        self.registry = registry
        if self.selector is not None:
            self.selector.configure(policies=policies(registry, self.overrides))

    def apply_overrides(self, overrides: dict[str, PolicyOverride]) -> None:
        """Serve by these policy overrides from the next request on."""
        if overrides == self.overrides:
            return
        self.overrides = overrides
        if self.selector is not None:
            self.selector.configure(policies=policies(self.registry, overrides))

    async def reload_stored(self) -> None:
        """Read what another process may have changed: pool policies, local keys."""
        await self.reload_overrides()
        await self.reload_keys()

    def apply_keys(self, stored: list[StoredKey]) -> None:
        """Accept these named keys (and only these) from the next request on."""
        if stored == self.stored_keys:
            return
        from dragoman.store.local_keys import ring_entries

        self.stored_keys = stored
        self.key_ring.replace(ring_entries(stored, self.settings.time_zone))

    async def keys_changed(self) -> None:
        """A key was changed here (admin API): serve by the keys now stored, at once."""
        assert self.accounts is not None
        self.key_changes += 1
        self.apply_keys(await self.accounts.keys())

    async def reload_keys(self) -> None:
        if self.accounts is None:
            return
        changes = self.key_changes
        try:
            found = await self.accounts.keys()
        except Exception as error:  # a locked or vanished database: the next poll tries again
            log.debug("the local keys could not be read: %s", type(error).__name__)
            return
        if changes == self.key_changes:  # else a change made meanwhile is newer
            self.apply_keys(found)

    async def reload_overrides(self) -> None:
        """Read the overrides another process may have changed (every few seconds)."""
        if self.accounts is None:
            return
        changes = self.policy_changes
        try:
            found = await self.accounts.overrides()
        except Exception as error:  # a locked or vanished database: the next poll tries again
            log.debug("the pool policies could not be read: %s", type(error).__name__)
            return
        if changes == self.policy_changes:  # else a change made meanwhile is newer: the next poll reads it
            self.apply_overrides(found)

    async def change_policy(self, label: str, changes: Mapping[str, Any]) -> None:
        """Store a policy change (admin API) and serve by it at once in this process;
        the other workers read it within a few seconds."""
        from dragoman.store.policy_store import PolicyStore

        assert self.accounts is not None
        database = await self.accounts.writable()
        changed = await PolicyStore(database.engine).change(label, changes)
        self.policy_changes += 1
        self.apply_overrides({**self.overrides, label: changed})

    async def _start_pools(self) -> None:
        self.state = open_state(self.settings, workers=self.settings.workers > 1)
        await self.state.start()
        self.client_logins = ClientLogins(self.state.client_logins)
        self.selector = Selector(self.state, self.settings.pools, policies(self.registry))
        self.policy.bindings = self.state.bindings

    def _start_traces(self) -> None:
        if not self.settings.traces.enabled:
            return
        feed = self.state.feed if self.state is not None else None
        self.tracer = Tracer(self.settings, feed, self._upstream_of)
        self.tracer.start()

    def _start_batches(self) -> None:
        from dragoman.batches.runner import BatchRunner

        self.batches = BatchRunner(self)
        self.batches.start()

    def _upstream_of(self, account: str | None) -> Upstream | None:
        return self.registry.upstream(account) if account is not None else None

    async def aclose(self) -> None:
        if self.batches is not None:  # first: its last answers are traced
            await self.batches.stop(self.settings.shutdown_grace_seconds)
        if self.watch is not None:
            await self.watch.stop()
        if self.responses is not None:
            await self.responses.stop()  # its background runs are traced: before the tracer
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

        refreshed = self.metrics.refreshed if self.metrics is not None else None
        self.auth = TokenKeeper(
            CredentialStore(database.engine, database.keys),
            self.settings,
            on_refresh=refreshed,
            on_usage=self.usage_seen,
            locks=self.state.locks if self.state is not None else None,
        )
        if self.catalog is not None:
            self.catalog.live.list_login = self.list_login

    def usage_seen(self, account: str, windows: list[UsageWindow]) -> None:
        """A usage endpoint's windows, kept for the pools as an answer's would be."""
        if self.state is None:
            return
        now = time.time()
        for window in from_endpoint(account, windows, now):
            self.state.windows.observe(window)

    async def list_login(self, upstream: Upstream) -> ListLogin:
        """What a subscription upstream's model list is read with: its login's headers,
        and the query its backend wants of the account."""
        runtime = upstream.spec.runtime
        if self.auth is None or runtime is None or upstream.account_id is None:
            return {}, {}
        account = await self.auth.fresh(upstream.account_id)
        return login_headers(runtime, account, {}), runtime.list_query(account)


def policies(
    registry: Registry, overrides: Mapping[str, PolicyOverride] | None = None
) -> dict[str, AccountPolicy]:
    """Each account's pool policy, by its label: its stored override over its config."""
    found = overrides or {}
    return {
        upstream.name: effective(upstream.name, upstream.policy, found) for upstream in registry.upstreams
    }

"""The admin calls with no gateway running: the accounts as a starting gateway would
serve them (config, database, a local Ollama), their policy overrides from the
database, and the runtime state the gateway keeps in the home folder (or in Redis, with
`redis_url`).

A listing creates nothing: no database, and no runtime state when none was kept yet
(an empty in-memory one stands in). A change creates the database it is kept in; a
reset writes to the runtime state (shared at once with any process reading it).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping
from typing import Any

from dragoman.config import Settings
from dragoman.routing.catalog import load_catalog
from dragoman.server.admin.desk import AccountDesk
from dragoman.server.admin.key_desk import KeyDesk
from dragoman.state import State, open_state
from dragoman.store.db import Database, open_database, open_existing, prepare_home
from dragoman.store.key_store import KeyStore
from dragoman.store.keyring import Keyring
from dragoman.store.policies import PolicyOverride
from dragoman.store.policy_store import PolicyStore


@contextlib.asynccontextmanager
async def local_desk(settings: Settings, *, writes: bool) -> AsyncIterator[AccountDesk]:
    catalog = await load_catalog(settings)
    async with _database(settings, writes) as database:
        store = PolicyStore(database.engine) if database is not None else None
        overrides = await store.all() if store is not None else {}

        async def save(label: str, changes: Mapping[str, Any]) -> Mapping[str, PolicyOverride]:
            assert store is not None  # a command that writes opened the database
            await store.change(label, changes)
            return await store.all()

        async with _opened_state(settings) as state:
            yield AccountDesk(catalog.registry(), state, overrides, save)


@contextlib.asynccontextmanager
async def local_key_desk(settings: Settings, *, writes: bool) -> AsyncIterator[KeyDesk]:
    """The keys' desk on the home database (made only by a change), with the spend the
    host's runtime state counted."""
    async with _database(settings, writes) as database:

        async def store_of(_writes: bool) -> KeyStore | None:
            return KeyStore(database.engine) if database is not None else None

        async with _opened_state(settings) as state:
            yield KeyDesk(store_of, settings.time_zone, state.counters)


@contextlib.asynccontextmanager
async def _database(settings: Settings, writes: bool) -> AsyncIterator[Database | None]:
    url = settings.effective_database_url
    if writes:
        prepare_home(settings.home)
        database: Database | None = await open_database(
            url, Keyring(settings.home), options=settings.database
        )
    else:
        database = await open_existing(url, Keyring(settings.home), options=settings.database)
    try:
        yield database
    finally:
        if database is not None:
            await database.close()


@contextlib.asynccontextmanager
async def _opened_state(settings: Settings) -> AsyncIterator[State]:
    """The runtime state a command reads and changes, ready; on leaving, what changed is
    written (the host one loads as it opens; the redis one loads as it starts)."""
    state = _state(settings)
    if state.backend == "redis":
        await state.start()
    try:
        yield state
    finally:
        await state.stop()


def _state(settings: Settings) -> State:
    """The replicas' runtime state on Redis (`redis_url`), or the host's when a gateway
    kept any here, else an empty one."""
    kept = settings.redis_url or (settings.home.expanduser() / "state" / "state.db").exists()
    return open_state(settings if kept else None)

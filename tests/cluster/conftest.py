"""One cluster per module: a throwaway PostgreSQL database (`dragoman_cluster_<pid>`,
dropped after), a Redis prefix of its own, the codex fakes, and an expired codex login
stored the way `dragoman login` stores it.

A module changes its cluster by overriding a fixture: `accounts` (the logins stored
before the replicas start), `cluster_toml` (lines every replica's config.toml adds) or
`cluster_redis` (the Redis the replicas share)."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from dragoman.auth.login import account_from_facts
from dragoman.auth.store import CredentialStore
from dragoman.auth.tokens import token_facts
from dragoman.providers import discover
from dragoman.store import open_database
from dragoman.store.accounts import Account
from dragoman.store.keyring import VARIABLE, Keyring
from tests.cluster.topology import (
    REPLICAS,
    SECRET_KEY,
    Cluster,
    Replica,
    free_port,
    replica_config,
    upgrade_schema,
)
from tests.databases import scratch_database
from tests.fakes.oauth import User
from tests.state.conftest import REDIS_URL, redis_prefix
from tests.subscriptions import Subscription, subscription

DETECTION_OFF = "detect_ollama = false\n"


@pytest.fixture(scope="module")
def postgres() -> Iterator[str]:
    with scratch_database(f"dragoman_cluster_{os.getpid()}") as url:
        yield url


@pytest.fixture(scope="module")
def codex() -> Iterator[Subscription]:
    with subscription("codex") as sub:
        yield sub


def store_login(postgres: str, sub: Subscription, user: User, seeding: Path, *, expired: bool) -> Account:
    """A login for `user` on the shared database (`dragoman db upgrade` run first),
    sealed with the replicas' key."""
    answer = sub.oauth.issue(user)
    draft = account_from_facts(sub.kind, token_facts(discover()[sub.kind], answer))
    if expired:
        draft = replace(draft, expires_at=time.time() - 60)

    async def save() -> Account:
        database = await open_database(postgres, Keyring(seeding, {VARIABLE: SECRET_KEY}), upgrade=True)
        try:
            stored, _ = await CredentialStore(database.engine, database.keys).save_login(draft)
            return stored
        finally:
            await database.close()

    return asyncio.run(save())


@pytest.fixture(scope="module")
def login(postgres: str, codex: Subscription, tmp_path_factory: pytest.TempPathFactory) -> Account:
    """An expired login on the shared database."""
    return store_login(postgres, codex, codex.oauth.user, tmp_path_factory.mktemp("seeding"), expired=True)


@pytest.fixture(scope="module")
def accounts(login: Account) -> list[Account]:
    """The accounts stored before the replicas start."""
    return [login]


@pytest.fixture(scope="module")
def cluster_toml() -> str:
    """What every replica's config.toml adds to the database, Redis and fakes."""
    return ""


@pytest.fixture(scope="module")
def cluster_redis() -> str:
    """The Redis the replicas share (the machine's, under a prefix of the module's own)."""
    return REDIS_URL


@pytest.fixture(scope="module")
def cluster(
    tmp_path_factory: pytest.TempPathFactory,
    postgres: str,
    codex: Subscription,
    accounts: list[Account],
    cluster_toml: str,
    cluster_redis: str,
) -> Iterator[Cluster]:
    folder = tmp_path_factory.mktemp("cluster")
    upgrade_schema(postgres)  # `dragoman db upgrade`, for a module that stores no account
    with redis_prefix() as prefix:
        replicas = []
        for number in range(REPLICAS):
            home = folder / f"replica-{number}"
            home.mkdir(mode=0o700)
            config = (
                DETECTION_OFF
                + replica_config(postgres, cluster_redis, prefix)
                + cluster_toml
                + "\n"
                + codex.toml()
            )
            (home / "config.toml").write_text(config)
            replicas.append(Replica(home, free_port()))
        topology = Cluster(replicas, free_port(), folder)
        try:
            topology.start()
            yield topology
        finally:
            topology.stop()

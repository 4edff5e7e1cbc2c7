"""Named local keys kept in the database: hashed, whole or absent, and brought to an
older database by its migration."""

from __future__ import annotations

from pathlib import Path

from dragoman.policy.keys import digest
from dragoman.store import open_database
from dragoman.store.files import holds_accounts
from dragoman.store.key_store import KeyStore
from dragoman.store.local_keys import ring_entries
from dragoman.store.migrations import LATEST
from tests.secret_scan.registry import register
from tests.store.revisions import at_revision


async def test_a_key_round_trips_and_only_its_digest_is_kept(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'dragoman.db'}"
    database = await open_database(url)
    try:
        store = KeyStore(database.engine)
        made = await store.create("alice", {"models": ["claude-*"], "budget": "$20/month"}, 123.0)
        assert made is not None
        key, secret = made
        register(secret, "a local key made by the test")
        assert secret.startswith("dgm_") and len(secret) > 40
        assert key.prefix == secret[:8] and key.digest == digest(secret).hex()
        assert await store.one("alice") == key
        assert await store.all() == [key]
        [(found, local)] = ring_entries([key], "UTC")
        assert found == digest(secret) and local.name == "alice" and local.expires == 123.0
    finally:
        await database.close()
    assert secret.encode() not in (tmp_path / "dragoman.db").read_bytes()
    assert holds_accounts(tmp_path / "dragoman.db") is True  # a gateway opens a database with keys


async def test_revoke_rotate_and_names(database_url: str) -> None:
    database = await open_database(database_url)
    try:
        store = KeyStore(database.engine)
        first = await store.create("bob", {}, None)
        assert first is not None and await store.create("bob", {}, None) is None  # the name is taken
        rotated = await store.rotate("bob")
        assert rotated is not None and rotated[0].digest != first[0].digest
        revoked = await store.revoke("bob")
        assert revoked is not None and revoked.revoked_at is not None
        assert ring_entries(await store.all(), "UTC") == []  # a revoked key is not accepted
        assert await store.rotate("bob") is None and await store.update("bob", {}, None) is None
        again = await store.create("bob", {"rpm": 5}, None)  # a revoked key's name is free again
        assert again is not None and again[0].revoked_at is None and again[0].options == {"rpm": 5}
        assert await store.revoke("nobody") is None
        for _, secret in (first, rotated, again):
            register(secret, "a local key made by the test")
    finally:
        await database.close()


async def test_a_version_4_database_gains_the_keys_table(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'dragoman.db'}"
    await at_revision(url, "0004", legacy=True)
    assert holds_accounts(tmp_path / "dragoman.db") is False  # no keys table yet: nothing to open it for
    database = await open_database(url)
    try:
        assert database.version == LATEST
        store = KeyStore(database.engine)
        assert await store.all() == []
        made = await store.create("carol", {}, None)
        assert made is not None
        register(made[1], "a local key made by the test")
    finally:
        await database.close()

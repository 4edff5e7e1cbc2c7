"""The accounts a gateway serves, from a database opened only once it holds some.

SQLAlchemy, its async layer and the SQLite driver cost a gateway ~22 MiB, a third of
its memory, and one configured in config.toml alone never needs them. So a SQLite
database is not opened, nor created, while it has no account: `AccountSource` looks at
its file instead (a `stat` each time it is asked, and a read with Python's own sqlite3
when the file changed) and opens it, as `open_database` always did (migrations, 0600
files), when the first account appears: `dragoman accounts add` or `dragoman login` run
while the gateway serves. From then on every read goes through SQLAlchemy. A database
that is not a SQLite file (PostgreSQL) has no file to look at: it opens at once.
"""

from __future__ import annotations

import asyncio
import builtins
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from dragoman.store.accounts import Account
from dragoman.store.files import Signature, holds_accounts, signature, sqlite_file
from dragoman.store.policies import PolicyOverride

if TYPE_CHECKING:
    from dragoman.config.schema import DatabaseConfig
    from dragoman.store.account_store import AccountStore
    from dragoman.store.db import Database
    from dragoman.store.local_keys import StoredKey


class AccountSource:
    """Every account (an `AccountReader`), and the database once it is open.
    `opened` is told when the database opens."""

    def __init__(
        self,
        url: str,
        home: Path,
        opened: Callable[[Database], None] | None = None,
        options: DatabaseConfig | None = None,
    ) -> None:
        self.url = url
        self.options = options  # the pool's sizes and connect timeout
        self.home = home
        self.file = sqlite_file(url)
        self.database: Database | None = None
        self._opened = opened
        self._store: AccountStore | None = None
        # The file as it was when it last held no account.
        self._empty: Signature | None = None

    async def list(self) -> list[Account]:
        """Every account, oldest first: none while the database holds none."""
        store = await self.store()
        return await store.list() if store is not None else []

    async def store(self) -> AccountStore | None:
        """The accounts table, the database opened first if it now holds accounts; None
        while it holds none."""
        if self._store is None and await self._worth_opening():
            await self._open()
        return self._store

    async def overrides(self) -> dict[str, PolicyOverride]:
        """Every pool policy override, by label: none while the database holds nothing."""
        await self.store()
        if self.database is None:
            return {}
        from dragoman.store.policy_store import PolicyStore

        return await PolicyStore(self.database.engine).all()

    async def keys(self) -> builtins.list[StoredKey]:
        """Every named local key: none while the database holds nothing."""
        await self.store()
        if self.database is None:
            return []
        from dragoman.store.key_store import KeyStore

        return await KeyStore(self.database.engine).all()

    async def writable(self) -> Database:
        """The database, opened (and created) now if it was not: for an admin change
        written while it held nothing yet."""
        if self.database is None:
            await self._open()
        assert self.database is not None
        return self.database

    async def close(self) -> None:
        if self.database is not None:
            await self.database.close()

    async def _worth_opening(self) -> bool:
        if self.file is None:
            return True
        now = signature(self.file)
        if now is None or now == self._empty:
            return False
        # Taken before the look: a write during it changes the file again, and is seen next time.
        found = await asyncio.to_thread(holds_accounts, self.file)
        if found is False:
            self._empty = now
        return bool(found)

    async def _open(self) -> None:
        # SQLAlchemy only now: the database holds something to serve.
        from dragoman.store.account_store import AccountStore
        from dragoman.store.db import open_database
        from dragoman.store.keyring import Keyring

        self.database = await open_database(self.url, Keyring(self.home), options=self.options)
        self._store = AccountStore(self.database.engine, self.database.keys)
        if self._opened is not None:
            self._opened(self.database)

"""The database: SQLAlchemy 2 async, SQLite under the home folder by default.

Importing this package does not import SQLAlchemy (~22 MiB with its driver, see
`source.py`): `Database`, `open_database` and `AccountStore` load it when first asked for.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from dragoman.store.accounts import Account, AccountError

if TYPE_CHECKING:
    from dragoman.store.account_store import AccountStore
    from dragoman.store.db import Database, open_database

__all__ = ["Account", "AccountError", "AccountStore", "Database", "open_database"]

_LOADED_LATER = {
    "AccountStore": "dragoman.store.account_store",
    "Database": "dragoman.store.db",
    "open_database": "dragoman.store.db",
}


def __getattr__(name: str) -> Any:
    module = _LOADED_LATER.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)

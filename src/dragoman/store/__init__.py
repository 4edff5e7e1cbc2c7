"""The database: SQLAlchemy 2 async, SQLite under the home folder by default."""

from dragoman.store.accounts import Account, AccountError, AccountStore
from dragoman.store.db import Database, open_database

__all__ = ["Account", "AccountError", "AccountStore", "Database", "open_database"]

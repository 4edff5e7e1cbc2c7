"""The database: SQLAlchemy 2 async, SQLite under the home folder by default."""

from dragoman.store.db import Database, open_database

__all__ = ["Database", "open_database"]

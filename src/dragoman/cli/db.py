"""`dragoman db upgrade`: the database's schema brought up to this dragoman's."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click

from dragoman.cli.common import console, home_options, load_settings
from dragoman.config.masking import masked_url


@click.group()
def db() -> None:
    """The database (database_url): its schema's migrations."""


@db.command()
@home_options
def upgrade(home: str | None, config_file: str | None) -> None:
    """Bring the database's schema up to this dragoman's.

    Run it once after installing a newer dragoman on a shared database (PostgreSQL),
    before starting its replicas: they refuse a schema older than theirs. A SQLite
    database is upgraded by any command that opens it."""
    settings = load_settings(home, config_file)
    url = settings.effective_database_url
    previous, latest = asyncio.run(_upgrade(settings.home, url))
    where = masked_url(url)
    if previous == latest:
        console.print(f"{where}: schema already at revision {latest:04d}, the latest.", soft_wrap=True)
    else:
        start = f"revision {previous:04d}" if previous else "an empty database"
        console.print(f"{where}: schema upgraded from {start} to revision {latest:04d}.", soft_wrap=True)


async def _upgrade(home: Path, url: str) -> tuple[int | None, int]:
    from dragoman.store.db import open_database, prepare_home  # SQLAlchemy: only now

    prepare_home(home)
    database = await open_database(url, upgrade=True)
    await database.close()
    return database.previous, database.version

"""`dragoman db upgrade`: the database's schema brought up to this dragoman's;
`dragoman db rotate-key`: its sealed credentials under a new key
(`dragoman.store.rotation`; README, Secrets at rest)."""

from __future__ import annotations

import asyncio
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import click

from dragoman.cli.common import console, home_options, json_option, load_settings, print_json
from dragoman.config import Settings
from dragoman.config.masking import masked_url

if TYPE_CHECKING:
    from dragoman.config.schema import DatabaseConfig
    from dragoman.store.rotation import Rotation


@click.group()
def db() -> None:
    """The database (database_url): its schema's migrations, the key its credentials are sealed with."""


@db.command()
@home_options
def upgrade(home: str | None, config_file: str | None) -> None:
    """Bring the database's schema up to this dragoman's.

    Run it once after installing a newer dragoman on a shared database (PostgreSQL),
    before starting its replicas: they refuse a schema older than theirs. A SQLite
    database is upgraded by any command that opens it."""
    settings = load_settings(home, config_file)
    url = settings.effective_database_url
    previous, latest = asyncio.run(_upgrade(settings.home, url, settings.database))
    where = masked_url(url)
    if previous == latest:
        console.print(f"{where}: schema already at revision {latest:04d}, the latest.", soft_wrap=True)
    else:
        start = f"revision {previous:04d}" if previous else "an empty database"
        console.print(f"{where}: schema upgraded from {start} to revision {latest:04d}.", soft_wrap=True)


async def _upgrade(home: Path, url: str, options: DatabaseConfig) -> tuple[int | None, int]:
    from dragoman.store.db import open_database, prepare_home  # SQLAlchemy: only now
    from dragoman.store.keyring import Keyring

    prepare_home(home)
    database = await open_database(url, Keyring(home), upgrade=True, options=options)
    await database.close()
    return database.previous, database.version


@db.command("rotate-key")
@home_options
@json_option
def rotate_key(home: str | None, config_file: str | None, as_json: bool) -> None:
    """Seal every stored credential anew under a new key.

    With the home's secret.key: a new key is made, every credential sealed with it, and
    the old key dropped; a running dragoman sharing the file goes on serving. With
    DRAGOMAN_SECRET_KEY: put the new key first (NEW,OLD) on every replica, run this,
    then remove OLD.
    """
    settings = load_settings(home, config_file)
    rotation = asyncio.run(_rotate(settings))
    if rotation is None:
        url = masked_url(settings.effective_database_url)
        raise click.ClickException(f"there is no database yet at {url}")
    if as_json:
        print_json(asdict(rotation))
        return
    lines = [f"{rotation.resealed} accounts sealed anew with key {rotation.key_id} ({rotation.source})."]
    if rotation.retired and rotation.source == "DRAGOMAN_SECRET_KEY":
        lines.append(f"Now remove the other keys ({', '.join(rotation.retired)}) from DRAGOMAN_SECRET_KEY.")
    elif rotation.retired:
        lines.append(f"Keys dropped: {', '.join(rotation.retired)}.")
    # A path is shown whole, never wrapped nor read as markup.
    console.print("\n".join(lines), soft_wrap=True, markup=False)


async def _rotate(settings: Settings) -> Rotation | None:
    from dragoman.store.db import open_existing
    from dragoman.store.keyring import Keyring
    from dragoman.store.rotation import rotate_key

    database = await open_existing(
        settings.effective_database_url, Keyring(settings.home), options=settings.database
    )
    if database is None:
        return None
    try:
        return await rotate_key(database)
    finally:
        await database.close()

"""Schema migrations: an ordered list, each run once, the version recorded after each.

To change the schema, append a function taking a connection; never edit one that has
shipped. `migrate` brings any older database up to `LATEST`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from dragoman import __version__
from dragoman.store.tables import schema_version

Migration = Callable[[AsyncConnection], Awaitable[None]]


async def _v1_version_table(connection: AsyncConnection) -> None:
    await connection.run_sync(lambda sync: schema_version.create(sync, checkfirst=True))
    await connection.execute(insert(schema_version).values(id=1, version=0, applied_by=__version__))


MIGRATIONS: list[Migration] = [_v1_version_table]
LATEST = len(MIGRATIONS)


async def current_version(connection: AsyncConnection) -> int:
    exists = await connection.run_sync(lambda sync: sync.dialect.has_table(sync, schema_version.name))
    if not exists:
        return 0
    row = (await connection.execute(select(schema_version.c.version))).first()
    return int(row[0]) if row else 0


async def migrate(connection: AsyncConnection) -> int:
    """Apply every migration newer than the database. Returns the version reached."""
    version = await current_version(connection)
    if version > LATEST:
        raise RuntimeError(
            f"the database is at schema version {version}, newer than this dragoman "
            f"({__version__}, version {LATEST}): upgrade dragoman"
        )
    for number in range(version, LATEST):
        await MIGRATIONS[number](connection)
        await connection.execute(update(schema_version).values(version=number + 1, applied_by=__version__))
    return LATEST

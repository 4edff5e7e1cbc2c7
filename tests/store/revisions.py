"""Databases at an older schema, as a release of that time left them."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from dragoman.store.migrations.upgrade import upgrade_to


async def at_revision(url: str, revision: str, *, legacy: bool = False) -> None:
    """The database brought up to `revision` and no further; `legacy`: as the migration
    list before Alembic left it (its `schema_version` number alone)."""
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(upgrade_to, revision)
            if legacy:
                await connection.execute(text("DROP TABLE alembic_version"))
    finally:
        await engine.dispose()

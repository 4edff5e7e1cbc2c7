"""Where a database's schema stands, and bringing it up to date when asked."""

from __future__ import annotations

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from dragoman.store.migrations import HEAD, SchemaMismatch, refuse_unknown
from dragoman.store.tables import schema_version

# How long a SQLite writer waits for another's lock (as `store.db` sets it), and how
# long one waits for another process's migration.
BUSY_MS = 5_000
MIGRATION_WAIT_MS = 120_000
# Any number, the same for every dragoman: the lock migrating processes queue on.
_PG_LOCK = 0x6472_676D


async def stored_revision(connection: AsyncConnection) -> tuple[str | None, bool]:
    """The revision the database is at (None: it has no schema yet), and whether only
    the old list's number says so (it has no `alembic_version` yet)."""
    tables = await connection.run_sync(
        lambda sync: {
            name for name in ("alembic_version", "schema_version") if sync.dialect.has_table(sync, name)
        }
    )
    if "alembic_version" in tables:
        found = (await connection.execute(text("SELECT version_num FROM alembic_version"))).scalar()
        return (str(found) if found is not None else None), False
    if "schema_version" in tables:
        number = (await connection.execute(select(schema_version.c.version))).scalar()
        return (f"{number:04d}" if number else None), True
    return None, False


async def migrate(connection: AsyncConnection, upgrade: bool) -> str | None:
    """Check that the database is at this dragoman's revision (`HEAD`), or bring it
    there when `upgrade` says so (a database of the old list at `HEAD` is stamped).
    Returns the revision it was at (None: no schema); raises SchemaMismatch."""
    found, legacy = await stored_revision(connection)
    if found == HEAD and not legacy:
        return found
    refuse_unknown(found)
    if not upgrade:
        at = f"at revision {found}" if found else "empty"
        raise SchemaMismatch(f"its schema is {at}, this dragoman needs {HEAD}: run `dragoman db upgrade`")
    await _lock(connection)
    found, legacy = await stored_revision(connection)  # another process may have done it meanwhile
    if found != HEAD or legacy:
        refuse_unknown(found)
        from dragoman.store.migrations.upgrade import upgrade_to

        await connection.run_sync(upgrade_to, HEAD)
    return found


async def _lock(connection: AsyncConnection) -> None:
    """Make processes that migrate the same database at once take turns: the second
    then finds the work done."""
    if connection.dialect.name == "postgresql":
        await connection.execute(text("SELECT pg_advisory_xact_lock(:lock)"), {"lock": _PG_LOCK})
    elif connection.dialect.name == "sqlite":
        # SQLite's driver opens a transaction only before a write: the revision read
        # would be stale, and each CREATE TABLE committed on its own. Whoever migrates
        # first may hold the lock for seconds on a busy machine (Alembic loads, every
        # revision runs): the others wait for it, not fail after the usual 5 s.
        await connection.exec_driver_sql(f"PRAGMA busy_timeout={MIGRATION_WAIT_MS}")
        await connection.exec_driver_sql("BEGIN IMMEDIATE")
        await connection.exec_driver_sql(f"PRAGMA busy_timeout={BUSY_MS}")

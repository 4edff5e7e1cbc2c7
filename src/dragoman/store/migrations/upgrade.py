"""Running the revisions with Alembic, configured here: no alembic.ini, no env.py."""

from __future__ import annotations

import logging

from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext, RevisionStep
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, update

from dragoman import __version__
from dragoman.store.migrations import VERSIONS
from dragoman.store.tables import schema_version

log = logging.getLogger("dragoman.store")

# Alembic says which backend it found and each step it runs, in every command that
# makes a database: the line worth keeping is logged below.
logging.getLogger("alembic").setLevel(logging.WARNING)


def upgrade_to(connection: Connection, target: str) -> None:
    """Apply the revisions from where the database is up to `target`, in the
    connection's transaction. A database of the old list is first stamped with the
    revision of its number."""
    script = ScriptDirectory(VERSIONS.parent)
    context = MigrationContext.configure(connection)
    start = context.get_current_revision()
    if start is None and (legacy := _legacy_version(connection)):
        start = f"{legacy:04d}"
        context.stamp(script, start)

    def steps(revision: str, _context: MigrationContext) -> list[RevisionStep]:
        return script._upgrade_revs(target, revision)  # what `alembic upgrade` runs

    with EnvironmentContext(Config(), script, fn=steps, destination_rev=target) as environment:
        environment.configure(connection=connection)
        with environment.begin_transaction():
            environment.run_migrations()
    connection.execute(update(schema_version).values(version=int(target), applied_by=__version__))
    log.info("database schema upgraded from %s to %s", start or "nothing", target)


def _legacy_version(connection: Connection) -> int:
    if not connection.dialect.has_table(connection, schema_version.name):
        return 0
    row = connection.execute(schema_version.select()).first()
    return int(row.version) if row is not None else 0

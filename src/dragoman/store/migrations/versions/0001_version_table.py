"""The version table of the migrations before Alembic, kept: a dragoman of that time
reads its number, and refuses a schema newer than it knows rather than recreating it."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from dragoman import __version__

revision = "0001"
down_revision = None


def upgrade() -> None:
    version = op.create_table(
        "schema_version",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("applied_by", sa.String(64), nullable=False),
    )
    op.bulk_insert(version, [{"id": 1, "version": 0, "applied_by": __version__}])

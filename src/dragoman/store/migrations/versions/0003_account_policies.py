"""Pool policy overrides by account label (`tables.account_policies`)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.create_table(
        "account_policies",
        sa.Column("label", sa.String(128), primary_key=True),
        sa.Column("priority", sa.Integer),
        sa.Column("weight", sa.Float),
        sa.Column("max_concurrent", sa.Integer),
        sa.Column("enabled", sa.Boolean),
        sa.Column("updated_at", sa.Float, nullable=False),
    )

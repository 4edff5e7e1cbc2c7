"""Stored Responses (`tables.responses`)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"


def upgrade() -> None:
    op.create_table(
        "responses",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("created_at", sa.Float, nullable=False, index=True),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("account", sa.String(128), nullable=False),
        sa.Column("kept", sa.Boolean, nullable=False),
        sa.Column("previous_response_id", sa.String(64)),
        sa.Column("response", sa.Text, nullable=False),
        sa.Column("input", sa.Text, nullable=False),
    )

"""Anthropic message batches (`tables.message_batches`, `tables.message_batch_requests`)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"


def upgrade() -> None:
    op.create_table(
        "message_batches",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(64), nullable=False, unique=True),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
        sa.Column("cancel_initiated_at", sa.Float),
        sa.Column("ended_at", sa.Float),
    )
    op.create_table(
        "message_batch_requests",
        sa.Column("batch_id", sa.String(64), primary_key=True),
        sa.Column("custom_id", sa.String(64), primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("queued_at", sa.Float, nullable=False),
        sa.Column("params", sa.JSON, nullable=False),
        sa.Column("state", sa.String(16), nullable=False, index=True),
        sa.Column("claimed_by", sa.String(160)),
        sa.Column("claimed_at", sa.Float),
        sa.Column("result", sa.JSON),
        sa.Column("finished_at", sa.Float),
    )

"""Traces and the usage ledger (`tables.traces`, `tables.usage_ledger`)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"

COUNTS = ("requests", "errors", "input_uncached", "cache_read", "cache_write", "output", "reasoning")


def upgrade() -> None:
    op.create_table(
        "traces",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(128), nullable=False, index=True),
        sa.Column("time", sa.Float, nullable=False, index=True),
        sa.Column("key", sa.String(64), nullable=False, index=True),
        sa.Column("client", sa.String(64)),
        sa.Column("model", sa.String(256), index=True),
        sa.Column("upstream_model", sa.String(256)),
        sa.Column("provider", sa.String(64)),
        sa.Column("account", sa.String(128), nullable=False),
        sa.Column("status", sa.Integer, nullable=False, index=True),
        sa.Column("failed", sa.Boolean, nullable=False),
        sa.Column("record", sa.Text, nullable=False),
        sa.Column("bodies", sa.Text),
        sa.Index("ix_traces_provider_account", "provider", "account"),
    )
    op.create_table(
        "usage_ledger",
        sa.Column("day", sa.String(10), primary_key=True),
        sa.Column("account", sa.String(128), primary_key=True),
        sa.Column("model", sa.String(256), primary_key=True),
        sa.Column("key", sa.String(64), primary_key=True),
        *(sa.Column(name, sa.Integer, nullable=False) for name in COUNTS),
        sa.Column("cost", sa.Float),
    )

"""Upstream accounts: API keys and subscription logins (`tables.accounts`)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    # Each revision spells its tables out as they were then, never `tables.py`'s
    # current ones: a later column belongs to the later revision that adds it.
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("provider", sa.String(64), nullable=False),
        sa.Column("label", sa.String(128), nullable=False, unique=True),
        sa.Column("auth", sa.String(16), nullable=False),
        sa.Column("api_key", sa.Text),
        sa.Column("api_key_env", sa.String(256)),
        sa.Column("base_url", sa.Text),
        sa.Column("dialect", sa.String(32)),
        sa.Column("models", sa.JSON, nullable=False),
        sa.Column("access_token", sa.Text),
        sa.Column("refresh_token", sa.Text),
        sa.Column("expires_at", sa.Float),
        sa.Column("account_id", sa.String(256)),
        sa.Column("email", sa.String(320)),
        sa.Column("plan", sa.String(64)),
        sa.Column("scopes", sa.JSON, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("refreshed_at", sa.Float),
        sa.Column("extra", sa.JSON, nullable=False),
        sqlite_autoincrement=True,
    )

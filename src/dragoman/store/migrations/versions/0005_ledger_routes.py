"""The ledger gains `route` in its key (what `usage --savings` sums by) and the
baseline prices. Neither SQLite nor PostgreSQL can change a primary key in place: the
table is built anew under another name, filled, then renamed (a rename first would
leave PostgreSQL's `usage_ledger_pkey` index name taken)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"

KEY = (("day", 10), ("account", 128), ("model", 256), ("key", 64))
COUNTS = ("requests", "errors", "input_uncached", "cache_read", "cache_write", "output", "reasoning")


def upgrade() -> None:
    built = op.create_table(
        "usage_ledger_v5",
        *(sa.Column(name, sa.String(size), primary_key=True) for name, size in KEY),
        sa.Column("route", sa.String(320), primary_key=True),
        *(sa.Column(name, sa.Integer, nullable=False) for name in (*COUNTS, "unpriced")),
        sa.Column("cost", sa.Float),
        sa.Column("baseline_cost", sa.Float),
        sa.Column("compared_cost", sa.Float),
    )
    kept = [*(name for name, _ in KEY), *COUNTS, "cost"]
    copied: list[sa.ColumnElement[Any]] = [sa.column(name) for name in kept]
    copied += [sa.literal("").label("route"), sa.literal(0).label("unpriced")]
    old = sa.select(*copied).select_from(sa.table("usage_ledger"))
    op.execute(sa.insert(built).from_select([*kept, "route", "unpriced"], old))
    op.drop_table("usage_ledger")
    op.rename_table("usage_ledger_v5", "usage_ledger")

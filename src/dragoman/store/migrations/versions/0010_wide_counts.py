"""Counters that outgrow 32 bits on PostgreSQL: the traces' `seq`, which only grows
(2^31 traces is eight months at 100 requests a second), and the ledger's token counts
(a day's cached input of a busy key passes 2^31 tokens). SQLite's integers are 64-bit
already: nothing changes there."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"

COUNTS = (
    "requests",
    "errors",
    "input_uncached",
    "cache_read",
    "cache_write",
    "output",
    "reasoning",
    "unpriced",
)


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    op.alter_column("traces", "seq", type_=sa.BigInteger)
    op.execute("ALTER SEQUENCE traces_seq_seq AS bigint")
    for name in COUNTS:
        op.alter_column("usage_ledger", name, type_=sa.BigInteger)

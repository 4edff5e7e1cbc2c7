"""Every trace written updated six indexes; listings need two (`tables.traces`)."""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    for name in ("ix_traces_key", "ix_traces_model", "ix_traces_status", "ix_traces_provider_account"):
        op.drop_index(name, table_name="traces", if_exists=True)

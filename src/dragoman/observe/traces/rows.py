"""A batch of trace records as rows: the traces table's and the usage ledger's, in
the order of the columns their inserts name. No SQLAlchemy here: a SQLite file at
this dragoman's revision is written without loading it (`sqlite_writer`)."""

from __future__ import annotations

from typing import Any

import orjson

from dragoman.observe.traces.ledger import COSTS, COUNTS, DIMENSIONS, ledger_rows
from dragoman.observe.traces.outcome import Record, failed

COLUMNS = (
    "id", "time", "key", "client", "model", "upstream_model", "provider", "account", "status", "failed",
    "record", "bodies",
)  # fmt: skip
LEDGER_COLUMNS = (*DIMENSIONS, *COUNTS, *COSTS)

# The columns' lengths (`store.tables.traces`, checked by a test): PostgreSQL refuses
# a longer value (SQLite keeps it), and a client names any model it likes; one such
# would lose the batch written with it. The record (JSON) keeps every value whole.
CUT = {"key": 64, "client": 64, "model": 256, "upstream_model": 256, "provider": 64, "account": 128}
# Read per row: a name is quicker than a lookup.
KEY_LENGTH, CLIENT_LENGTH, PROVIDER_LENGTH = CUT["key"], CUT["client"], CUT["provider"]
MODEL_LENGTH, UPSTREAM_MODEL_LENGTH, ACCOUNT_LENGTH = CUT["model"], CUT["upstream_model"], CUT["account"]

Row = tuple[Any, ...]


def rows_of(records: list[Record]) -> tuple[list[Row], list[Row]]:
    """A batch's trace rows and ledger rows."""
    ledger = [tuple(row[name] for name in LEDGER_COLUMNS) for row in ledger_rows(records)]
    return [row_of(record) for record in records], ledger


def row_of(record: Record) -> Row:
    """The record's row, valued in `COLUMNS` order."""
    bodies = record["bodies"]
    kept = record if bodies is None else {**record, "bodies": None}
    model, upstream_model = record["model"], record["upstream_model"]
    return (
        record["id"],
        record["time"],
        (record["key"] or "")[:KEY_LENGTH],
        record["client"] and record["client"][:CLIENT_LENGTH],
        model and model[:MODEL_LENGTH],
        upstream_model and upstream_model[:UPSTREAM_MODEL_LENGTH],
        record["provider"] and record["provider"][:PROVIDER_LENGTH],
        (record["account"] or "")[:ACCOUNT_LENGTH],
        record["status"],
        failed(record),
        orjson.dumps(kept).decode(),
        orjson.dumps(bodies).decode() if bodies is not None else None,
    )

"""Trace records as rows: the traces table's and the usage ledger's, in
the order of the columns their inserts name. No SQLAlchemy here: a SQLite file at
this dragoman's revision is written without loading it (`sqlite_writer`)."""

from __future__ import annotations

from typing import Any

import orjson

from dragoman.observe.traces.ledger import COSTS, COUNTS, DIMENSIONS
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


def ledger_row(row: dict[str, Any]) -> Row:
    """A ledger row (`ledger.Ledger`), valued in `LEDGER_COLUMNS` order."""
    return tuple(row[name] for name in LEDGER_COLUMNS)


def row_of(record: Record, encoded: bytes | None = None) -> Row:
    """The record's row, valued in `COLUMNS` order. `encoded`: the record as the tracer
    encoded it, which is its stored JSON as it is when it keeps no bodies."""
    bodies = record["bodies"]
    if bodies is None:
        kept = encoded.decode() if encoded is not None else orjson.dumps(record).decode()
    else:
        kept = orjson.dumps({**record, "bodies": None}).decode()
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
        kept,
        orjson.dumps(bodies).decode() if bodies is not None else None,
    )

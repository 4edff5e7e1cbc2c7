"""The usage ledger's arithmetic, shared by the database (`store`) and the memory-only
answer of `/v1/usage` (`query`): records summed per (UTC day, account, model, key),
then rows summed again over the dimensions a listing groups by."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from typing import Any

from dragoman.observe.traces.record import Record, failed

TOKENS = ("input_uncached", "cache_read", "cache_write", "output", "reasoning")
COUNTS = ("requests", "errors", *TOKENS)
DIMENSIONS = ("day", "account", "model", "key")
LedgerKey = tuple[str, ...]


def ledger_rows(records: Iterable[Record]) -> list[dict[str, Any]]:
    """The records' usage summed per (UTC day, account, model, key)."""
    sums: dict[LedgerKey, dict[str, Any]] = {}
    for record in records:
        day = day_of(record["time"])
        model = record["upstream_model"] or record["model"] or ""
        key = (day, record["account"] or "", model, record["key"] or "")
        row = sums.get(key)
        if row is None:
            row = sums[key] = dict(zip(DIMENSIONS, key, strict=True))
            row.update(cost=None, **dict.fromkeys(COUNTS, 0))
        _add(row, record)
    return list(sums.values())


def day_of(moment: float) -> str:
    """The UTC day of a moment, as the ledger keys it."""
    return time.strftime("%Y-%m-%d", time.gmtime(moment))


def _add(row: dict[str, Any], record: Record) -> None:
    row["requests"] += 1
    row["errors"] += failed(record)
    usage = record["usage"] or {}
    for kind in TOKENS:
        row[kind] += usage.get(kind, 0)
    if record["cost"] is not None:
        row["cost"] = (row["cost"] or 0.0) + record["cost"]


def regroup(rows: Iterable[dict[str, Any]], group_by: Sequence[str]) -> list[dict[str, Any]]:
    """Ledger rows summed over the dimensions not in `group_by`, biggest first."""
    sums: dict[LedgerKey, dict[str, Any]] = {}
    for row in rows:
        key = tuple(row[name] for name in group_by)
        total = sums.get(key)
        if total is None:
            total = sums[key] = {
                **dict(zip(group_by, key, strict=True)),
                "cost": None,
                **dict.fromkeys(COUNTS, 0),
            }
        for name in COUNTS:
            total[name] += row[name]
        if row["cost"] is not None:
            total["cost"] = (total["cost"] or 0.0) + row["cost"]
    # Newest day first (a stable sort keeps the order within a day): most tokens first.
    totals = sorted(sums.values(), key=tokens, reverse=True)
    return sorted(totals, key=lambda row: row.get("day", ""), reverse=True)


def tokens(row: dict[str, Any]) -> int:
    return int(row["input_uncached"] + row["cache_read"] + row["cache_write"] + row["output"])

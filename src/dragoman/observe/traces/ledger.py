"""The usage ledger's arithmetic, shared by the database (`store`) and the memory-only
answer of `/v1/usage` (`query`): records summed per (UTC day, account, model, key,
route), then rows summed again over the dimensions a listing groups by.

`route` names what the routing policy did ("rule NAME", "auto TIER", "auto/PROFILE
TIER", "rule NAME, auto TIER"; "" for a request it left alone). A routed request adds
its baseline's price (`baseline_cost`) and its own (`compared_cost`) when both are
known, and counts as `unpriced` when either is not, so that the two sums compare the
same requests."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from typing import Any

from dragoman.observe.traces.outcome import Record, failed

TOKENS = ("input_uncached", "cache_read", "cache_write", "output", "reasoning")
COUNTS = ("requests", "errors", *TOKENS, "unpriced")
# Summed like counts, but None (unknown) until some request of the row has one.
COSTS = ("cost", "baseline_cost", "compared_cost")
DIMENSIONS = ("day", "account", "model", "key", "route")
# The columns' lengths (`tables.usage_ledger`): PostgreSQL refuses a longer value, and a
# client names any model it likes. Cut here, before summing, so that rows which the cut
# makes one are summed as one.
LENGTHS = {"account": 128, "model": 256, "key": 64, "route": 320}
ACCOUNT_LENGTH, MODEL_LENGTH, KEY_LENGTH = LENGTHS["account"], LENGTHS["model"], LENGTHS["key"]
ROUTE_LENGTH = LENGTHS["route"]
LedgerKey = tuple[str, ...]
# A new row's sums: nothing counted, no cost known.
_EMPTY: dict[str, Any] = {**dict.fromkeys(COSTS), **dict.fromkeys(COUNTS, 0)}


def ledger_rows(records: Iterable[Record]) -> list[dict[str, Any]]:
    """The records' usage summed per (UTC day, account, model, key, route)."""
    ledger = Ledger()
    for record in records:
        ledger.add(record)
    return ledger.rows()


class Ledger:
    """Sums kept as records come: a batch read a part at a time is summed whole."""

    def __init__(self) -> None:
        self._sums: dict[LedgerKey, dict[str, Any]] = {}

    def add(self, record: Record) -> None:
        routing = record.get("routing")
        key = (
            day_of(record["time"]),
            (record["account"] or "")[:ACCOUNT_LENGTH],
            (record["upstream_model"] or record["model"] or "")[:MODEL_LENGTH],
            (record["key"] or "")[:KEY_LENGTH],
            route_of(routing)[:ROUTE_LENGTH] if routing else "",
        )
        row = self._sums.get(key)
        if row is None:
            row = self._sums[key] = {**dict(zip(DIMENSIONS, key, strict=True)), **_EMPTY}
        _add(row, record)
        if routing:
            _add_baseline(row, record["cost"], routing.get("baseline_cost"))

    def rows(self) -> list[dict[str, Any]]:
        return list(self._sums.values())


def route_of(routing: dict[str, Any] | None) -> str:
    """The ledger's name for a routing decision (a trace's `routing`); "" for none."""
    if not routing:
        return ""
    if routing.get("tier"):
        profile = routing.get("profile")
        auto = f"auto/{profile} {routing['tier']}" if profile else f"auto {routing['tier']}"
        return f"rule {routing['rule']}, {auto}" if routing.get("rule") else auto
    return f"rule {routing.get('rule')}"


def day_of(moment: float) -> str:
    """The UTC day of a moment, as the ledger keys it."""
    number = int(moment // 86400)
    day = _days.get(number)
    if day is None:
        if len(_days) >= DAYS_MAX:
            _days.clear()
        day = _days[number] = time.strftime("%Y-%m-%d", time.gmtime(number * 86400))
    return day


# Days by their number since the epoch: formatting one costs a microsecond, and a
# batch of records nearly always falls on one day.
_days: dict[int, str] = {}
DAYS_MAX = 1024


def _add(row: dict[str, Any], record: Record) -> None:
    row["requests"] += 1
    row["errors"] += failed(record)
    usage = record["usage"]
    if usage:
        for kind in TOKENS:
            row[kind] += usage.get(kind, 0)
    cost = record["cost"]
    if cost is not None:
        row["cost"] = (row["cost"] or 0.0) + cost


def _add_baseline(row: dict[str, Any], cost: float | None, baseline: float | None) -> None:
    if cost is None or baseline is None:
        row["unpriced"] += 1
        return
    _add_cost(row, "compared_cost", cost)
    _add_cost(row, "baseline_cost", baseline)


def _add_cost(row: dict[str, Any], name: str, cost: float | None) -> None:
    if cost is not None:
        row[name] = (row[name] or 0.0) + cost


def regroup(rows: Iterable[dict[str, Any]], group_by: Sequence[str]) -> list[dict[str, Any]]:
    """Ledger rows summed over the dimensions not in `group_by`, biggest first."""
    sums: dict[LedgerKey, dict[str, Any]] = {}
    for row in rows:
        key = tuple(row[name] for name in group_by)
        total = sums.get(key)
        if total is None:
            total = sums[key] = {
                **dict(zip(group_by, key, strict=True)),
                **dict.fromkeys(COSTS),
                **dict.fromkeys(COUNTS, 0),
            }
        for name in COUNTS:
            total[name] += row[name]
        for name in COSTS:
            _add_cost(total, name, row[name])
    # Newest day first (a stable sort keeps the order within a day): most tokens first.
    totals = sorted(sums.values(), key=tokens, reverse=True)
    return sorted(totals, key=lambda row: row.get("day", ""), reverse=True)


def tokens(row: dict[str, Any]) -> int:
    return int(row["input_uncached"] + row["cache_read"] + row["cache_write"] + row["output"])

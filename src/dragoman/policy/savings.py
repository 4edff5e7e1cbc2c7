"""What the routing policy saved: per rule and per auto tier, what the routed requests
cost against what their baseline would have (the model asked for, also when a rule
sent it to auto; for `auto` asked for, the top tier's model), both at the price table's
rates on the same usage.

Read from the usage ledger grouped by `route` (`observe.traces.ledger`), which outlives
purged traces. A routed request whose served or baseline model has no price is
counted (`unpriced`) but left out of both sums.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def savings(ledger: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per rule or auto tier from ledger rows (any grouping that keeps `route`):
    requests, cost, baseline cost and the difference, the largest saving first."""
    rows: dict[str, dict[str, Any]] = {}
    for entry in ledger:
        name = entry["route"]
        if not name:
            continue
        row = rows.setdefault(
            name, {"route": name, "requests": 0, "unpriced": 0, "cost": 0.0, "baseline_cost": 0.0}
        )
        row["requests"] += entry["requests"]
        row["unpriced"] += entry["unpriced"]
        row["cost"] += entry["compared_cost"] or 0.0
        row["baseline_cost"] += entry["baseline_cost"] or 0.0
    for row in rows.values():
        row["saved"] = row["baseline_cost"] - row["cost"]
    return sorted(rows.values(), key=lambda row: -row["saved"])

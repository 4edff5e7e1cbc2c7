"""What the routing policy saved: per rule and per auto tier, what the routed requests
cost against what their baseline would have (the model asked for; for `auto`, the
top tier's model), both at the price table's rates on the same usage.

Read from the traces, which keep each request's decision and both prices (the usage
ledger counts per account and model, and knows nothing of routing). A trace whose
served or baseline model has no price is counted but not priced.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def savings(traces: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per rule or auto tier: requests, cost, baseline cost and the difference,
    the largest saving first."""
    rows: dict[str, dict[str, Any]] = {}
    for trace in traces:
        routing = trace.get("routing")
        if not routing:
            continue
        name = _route_name(routing)
        row = rows.setdefault(
            name, {"route": name, "requests": 0, "unpriced": 0, "cost": 0.0, "baseline_cost": 0.0}
        )
        row["requests"] += 1
        cost, baseline = trace.get("cost"), routing.get("baseline_cost")
        if cost is None or baseline is None:
            row["unpriced"] += 1
            continue
        row["cost"] += cost
        row["baseline_cost"] += baseline
    for row in rows.values():
        row["saved"] = row["baseline_cost"] - row["cost"]
    return sorted(rows.values(), key=lambda row: -row["saved"])


def _route_name(routing: dict[str, Any]) -> str:
    if routing.get("tier"):
        auto = f"auto {routing['tier']}"
        return f"rule {routing['rule']}, {auto}" if routing.get("rule") else auto
    return f"rule {routing.get('rule')}"

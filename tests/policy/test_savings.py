"""Savings summed per rule and per auto tier from traces."""

from __future__ import annotations

from dragoman.policy.savings import savings


def _trace(
    cost: float | None, baseline: float | None, tier: str | None = None, rule: str | None = None
) -> dict:
    return {"cost": cost, "routing": {"tier": tier, "rule": rule, "baseline_cost": baseline}}


def test_rows_by_route_largest_saving_first() -> None:
    rows = savings(
        [
            _trace(1.0, 3.0, tier="simple"),
            _trace(2.0, 3.0, tier="simple"),
            _trace(1.0, 5.0, rule="cheap"),
            _trace(None, 4.0, tier="complex", rule="to-auto"),
            {"cost": 9.0, "routing": None},
        ]
    )
    assert [(row["route"], row["requests"], row["unpriced"], row["saved"]) for row in rows] == [
        ("rule cheap", 1, 0, 4.0),
        ("auto simple", 2, 0, 3.0),
        ("rule to-auto, auto complex", 1, 1, 0.0),
    ]

"""Savings summed per rule and per auto tier from usage ledger rows."""

from __future__ import annotations

from dragoman.observe.traces.ledger import ledger_rows, route_of
from dragoman.policy.savings import savings
from tests.observe.traces.records import a_record


def _trace(n: int, cost: float | None, baseline: float | None, **routing: object) -> dict:
    decision = {"tier": None, "rule": None, "baseline_cost": baseline, **routing}
    return a_record(n, cost=cost, routing=decision)


def test_rows_by_route_largest_saving_first() -> None:
    rows = savings(
        ledger_rows(
            [
                _trace(1, 1.0, 3.0, tier="simple"),
                _trace(2, 2.0, 3.0, tier="simple"),
                _trace(3, 1.0, 5.0, rule="cheap"),
                _trace(4, None, 4.0, tier="complex", rule="to-auto"),
                a_record(5, cost=9.0),
            ]
        )
    )
    assert [(row["route"], row["requests"], row["unpriced"], row["saved"]) for row in rows] == [
        ("rule cheap", 1, 0, 4.0),
        ("auto simple", 2, 0, 3.0),
        ("rule to-auto, auto complex", 1, 1, 0.0),
    ]


def test_a_request_priced_one_way_only_is_left_out_of_both_sums() -> None:
    [row] = savings(ledger_rows([_trace(1, 1.0, 3.0, rule="r"), _trace(2, 7.0, None, rule="r")]))
    assert (row["requests"], row["unpriced"], row["cost"], row["baseline_cost"]) == (2, 1, 1.0, 3.0)


def test_route_names() -> None:
    assert route_of(None) == ""
    assert route_of({"tier": "simple", "rule": None}) == "auto simple"
    assert route_of({"tier": "medium", "rule": None, "profile": "fast"}) == "auto/fast medium"
    assert route_of({"tier": "simple", "rule": "bg"}) == "rule bg, auto simple"
    assert route_of({"tier": None, "rule": "bg"}) == "rule bg"

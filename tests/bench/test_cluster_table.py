"""The cluster bench's table (bench/cluster_table.py) from cells as bench/matrix.py writes
them: figures in the right columns, the ratios a reader asks for, and who took the CPU."""

from __future__ import annotations

import os
from typing import Any

import pytest
from bench.matrix import Results
from bench.procs import Snapshot
from bench.scenarios import SCENARIOS
from bench.summary import Figure, Summary

from bench import cluster_table

CHAT = next(s for s in SCENARIOS if s.key == "chat")
# Saturation requests/s and p50 latency (ms) by target: the cluster twice one replica.
RPS = {"direct": 40000.0, "dragoman": 2000.0, "replica": 1500.0, "cluster": 3000.0}
P50 = {"direct": 0.5, "dragoman": 2.5, "replica": 3.5, "cluster": 4.5}


def cell(target: str, connections: int, repeat: int, **changes: Any) -> dict[str, Any]:
    spread = 1 + (repeat - 1) / 10  # three repetitions: 0.9, 1.0 and 1.1 times the figure
    found = {
        "target": target,
        "scenario": "chat",
        "connections": connections,
        "repeat": repeat,
        "requests": 1000,
        "seconds": 1.0,
        "errors": 0,
        "p50_ms": P50[target] * spread,
        "p90_ms": P50[target] * spread,
        "p99_ms": 2 * P50[target] * spread,
        "rps": RPS[target] * spread * (1 if connections > 1 else 0.5),
        "cpu_s_per_1000": 0.25,
        "foreign_cpu_share": 0.2 + repeat / 100,
        "beside_cpu_share": {"postgres": 0.03, "redis": 0.01} if target in ("replica", "cluster") else {},
    }
    return found | changes


def table(cells: list[dict[str, Any]]) -> list[str]:
    text = cluster_table.table(Summary(Results(cells=cells)), [CHAT], (1, 32), ["postgres", "redis"], 2)
    return text.splitlines()


def line(lines: list[str], label: str) -> list[str]:
    """A row's cells, split on the two spaces between columns."""
    found = next(x for x in lines if x.strip().startswith(label))
    return [part.strip() for part in found.split("  ") if part.strip()]


def every_cell(**changes: Any) -> list[dict[str, Any]]:
    return [cell(t, c, r, **changes) for t in RPS for c in (1, 32) for r in range(3)]


def test_saturation_in_each_column_and_the_two_ratios() -> None:
    row = line(table(every_cell()), "req/s (saturation)")

    figures = ["40000 [36000-44000]", "2000 [1800-2200]", "1500 [1350-1650]", "3000 [2700-3300]"]
    assert row == ["req/s (saturation)", *figures, "0.75x", "2.00x"]


def test_latency_is_added_over_directs_median_and_c1_has_no_p99() -> None:
    lines = table(every_cell())

    added = ["2.00 [1.75-2.25]", "3.00 [2.65-3.35]", "4.00 [3.55-4.45]"]
    assert line(lines, "c=32 +lat p50 ms")[2:5] == added
    assert line(lines, "c=32 +lat p99 ms")[1] == "1.00 [0.90-1.10]"  # direct: as measured
    assert not [x for x in lines if "c=1 +lat p99" in x]


def test_who_took_the_cpu_is_in_percent_of_the_machine_with_no_ratio() -> None:
    lines = table(every_cell())

    assert line(lines, "c=32 postgres % CPU")[1:] == ["-", "-", "3.0 [3.0-3.0]", "3.0 [3.0-3.0]", "-", "-"]
    assert line(lines, "c=32 others % CPU")[1] == "21.0 [20.0-22.0]"
    assert "Other processes took 21% of the machine's CPU during a median run (max 22%)." in lines


def test_errors_are_named_by_target_and_scenario() -> None:
    cells = every_cell()
    cells[-1]["errors"] = 7  # the cluster's last run

    assert "wrk errors (sockets, non-2xx): cluster / chat: 7" in table(cells)
    assert "wrk errors (sockets, non-2xx): none" in table(every_cell())


def test_a_ratio_needs_two_figures_and_a_divisor() -> None:
    assert cluster_table.ratio(Figure(3, 3, 3), Figure(2, 2, 2)) == "1.50x"
    assert cluster_table.ratio(Figure(3, 3, 3), Figure(0, 0, 0)) == "-"
    assert cluster_table.ratio(None, Figure(2, 2, 2)) == "-"


def test_a_trees_share_is_of_every_core_for_the_interval(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    before = Snapshot(at=10.0, machine=100.0, driver=0.0, trees={7: 5.0})
    after = Snapshot(at=12.0, machine=103.0, driver=0.0, trees={7: 6.0})

    assert before.share(after, 7) == 0.125  # 1 s of CPU in 2 s of 4 cores

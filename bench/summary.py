"""From raw cells to figures: medians and ranges over repetitions, added latency vs direct.

Added latency of a repetition is its percentile minus the median of the same
percentile measured direct (same scenario, same concurrency, same run).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

from bench.matrix import Results


@dataclass(frozen=True, slots=True)
class Figure:
    median: float
    low: float
    high: float

    @classmethod
    def of(cls, values: list[float]) -> Figure | None:
        values = [v for v in values if v is not None]
        if not values:
            return None
        return cls(statistics.median(values), min(values), max(values))

    def as_dict(self) -> dict[str, float]:
        return {"median": self.median, "min": self.low, "max": self.high}


class Summary:
    def __init__(self, results: Results) -> None:
        self.results = results

    def _cells(self, target: str, scenario: str, connections: int) -> list[dict[str, Any]]:
        return [
            c
            for c in self.results.cells
            if c["target"] == target and c["scenario"] == scenario and c["connections"] == connections
        ]

    def raw(self, target: str, scenario: str, connections: int, key: str) -> Figure | None:
        cells = self._cells(target, scenario, connections)
        if key != "rps":  # a run that finished no request has no latency, only a rate of 0
            cells = [c for c in cells if c["requests"]]
        return Figure.of([c[key] for c in cells])

    def added(self, target: str, scenario: str, connections: int, pct: int) -> Figure | None:
        """Latency percentile over direct's; direct itself is given as measured."""
        key = f"p{pct}_ms"
        if target == "direct":
            return self.raw(target, scenario, connections, key)
        direct = self.raw("direct", scenario, connections, key)
        if direct is None:
            return None
        cells = [c for c in self._cells(target, scenario, connections) if c["requests"]]
        return Figure.of([c[key] - direct.median for c in cells])

    def saturation(self, target: str, scenario: str, concurrencies: tuple[int, ...]) -> Figure | None:
        """Requests/s at the concurrency where the median is highest."""
        figures = [self.raw(target, scenario, c, "rps") for c in concurrencies]
        found = [f for f in figures if f is not None]
        return max(found, key=lambda f: f.median) if found else None

    def cpu(self, target: str, scenario: str, connections: int) -> Figure | None:
        return self.raw(target, scenario, connections, "cpu_s_per_1000")

    def ttfb(self, target: str, scenario: str, connections: int, pct: int = 50) -> Figure | None:
        rows = [
            t
            for t in self.results.ttfb
            if t["target"] == target and t["scenario"] == scenario and t["connections"] == connections
        ]
        return Figure.of([t[f"ttfb_p{pct}_ms"] for t in rows])

    def foreign(self) -> Figure | None:
        """The share of the machine other processes took during the wrk runs."""
        return Figure.of([c["foreign_cpu_share"] * 100 for c in self.results.cells])

    def share(self, target: str, scenario: str, connections: int, of: str | None = None) -> Figure | None:
        """Percent of the machine's CPU taken during this cell's runs by the process tree
        measured beside the targets named `of` (bench/matrix.py's `beside`), or with no
        `of`, by every process the bench does not measure."""
        cells = self._cells(target, scenario, connections)
        if of is None:
            return Figure.of([c["foreign_cpu_share"] * 100 for c in cells])
        return Figure.of(
            [c["beside_cpu_share"][of] * 100 for c in cells if of in c.get("beside_cpu_share", {})]
        )

    def errors(self, target: str, scenario: str) -> int:
        """Socket errors and non-2xx answers wrk counted in all of a scenario's runs."""
        return sum(
            c["errors"] for c in self.results.cells if c["target"] == target and c["scenario"] == scenario
        )

    def memory(self, target: str, key: str) -> float | None:
        return self.results.memory.get(target, {}).get(key)

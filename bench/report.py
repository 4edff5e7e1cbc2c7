"""The one table, the check of issue 7's targets, and the results JSON."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bench.scenarios import Scenario
from bench.summary import Figure, Summary

GATEWAY = "dragoman"
Getter = Callable[[str], Figure | None]


def fmt(figure: Figure | None, digits: int = 2) -> str:
    """`median [min-max]`, or `-` for no figure."""
    if figure is None:
        return "-"
    return f"{figure.median:.{digits}f} [{figure.low:.{digits}f}-{figure.high:.{digits}f}]"


def _ratio(a: Figure | None, b: Figure | None) -> str:
    if a is None or b is None or b.median == 0:
        return "-"
    return f"{a.median / b.median:.2f}x"


def _row(label: str, targets: list[str], get: Getter, digits: int = 2) -> list[str]:
    figures = {name: get(name) for name in targets}
    cells = [fmt(figures[name], digits) for name in targets]
    mine = figures.get(GATEWAY)
    return [label, *cells, _ratio(mine, figures.get("floor")), _ratio(mine, figures.get("litellm"))]


def _scenario_rows(s: Summary, scenario: Scenario, targets: list[str], plan: Any) -> list[list[str]]:
    key, rows = scenario.key, []
    for c in plan.concurrencies:
        for pct in (50, 90, 99):
            rows.append(_row(f"  c={c} +lat p{pct} ms", targets, lambda t, c=c, p=pct: s.added(t, key, c, p)))
    if scenario.stream:
        for c in plan.concurrencies:
            rows.append(_row(f"  c={c} TTFB p50 ms", targets, lambda t, c=c: s.ttfb(t, key, c)))
    for c in plan.concurrencies:
        rows.append(_row(f"  c={c} req/s", targets, lambda t, c=c: s.raw(t, key, c, "rps"), 0))
    rows.append(_row("  req/s (saturation)", targets, lambda t: s.saturation(t, key, plan.concurrencies), 0))
    for c in (min(plan.concurrencies), max(plan.concurrencies)):
        rows.append(_row(f"  c={c} CPU s/1000 req", targets, lambda t, c=c: s.cpu(t, key, c), 3))
    return rows


def _memory_rows(s: Summary, targets: list[str]) -> list[list[str]]:
    rows = []
    for key, label in (("idle_mib", "idle RSS MiB"), ("peak_mib", "peak RSS MiB")):
        values = {t: s.memory(t, key) for t in targets}
        figures = {t: Figure(v, v, v) if v is not None else None for t, v in values.items()}
        cells = [f"{figures[t].median:.1f}" if figures[t] else "-" for t in targets]
        mine = figures.get(GATEWAY)
        rows.append([label, *cells, _ratio(mine, figures.get("floor")), _ratio(mine, figures.get("litellm"))])
    return rows


def aligned(header: list[str], rows: list[list[str]]) -> list[str]:
    """The header, a rule and the rows, each column as wide as its widest cell."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(header, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)) for r in rows]
    return [line.rstrip() for line in lines]


def table(s: Summary, scenarios: list[Scenario], targets: list[str], plan: Any) -> str:
    header = ["scenario / figure", *targets, "drg/floor", "drg/litellm"]
    rows: list[list[str]] = []
    for scenario in scenarios:
        rows.append([f"{scenario.title}"] + [""] * (len(header) - 1))
        rows += _scenario_rows(s, scenario, targets, plan)
    rows.append(["gateway process tree (direct: the fake upstream)"] + [""] * (len(header) - 1))
    rows += _memory_rows(s, targets)
    lines = aligned(header, rows)
    notes = [
        "Cells: median [min-max] over repetitions. direct: latency as measured; others: latency added",
        "over direct's median. Ratios: dragoman's median / the other's (latency, CPU, RSS: lower is better;",
        "req/s: higher is better). dragoman: --log-level warning; dragoman-info: the default info;",
        "dragoman-poolN (--pool N): as dragoman, with N accounts serving each model.",
    ]
    noise = s.foreign()
    if noise is not None:
        notes.append(
            f"Other processes on this machine took {noise.median:.0f}% of its CPU during a median run "
            f"(max {noise.high:.0f}%): above ~5%, compare only columns of the same run."
        )
    return "\n".join([*lines, "", *notes])

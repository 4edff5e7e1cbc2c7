"""The table `python -m bench cluster` prints, from one run's cells (bench/matrix.py).

Four targets: `direct` (the fake upstream), `dragoman` (one process on SQLite, as
`python -m bench`'s), `replica` (one of the cluster's, addressed directly: PostgreSQL and
Redis) and `cluster` (the three replicas through HAProxy). Two ratios say what a reader
asks: what the shared state costs one process (replica / dragoman), and what three
replicas give over one on this machine (cluster / replica).
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterable

from bench.report import aligned, fmt
from bench.scenarios import Scenario
from bench.summary import Figure, Summary

TARGETS = {
    "direct": "direct",
    "dragoman": "dragoman (SQLite)",
    "replica": "replica (PG+Redis)",
    "cluster": "3 replicas (HAProxy)",
}
RATIOS = (("replica", "dragoman"), ("cluster", "replica"))
Getter = Callable[[str], Figure | None]


def ratio(a: Figure | None, b: Figure | None) -> str:
    """The medians' quotient, or `-` where there is none."""
    if a is None or b is None or b.median == 0:
        return "-"
    return f"{a.median / b.median:.2f}x"


def row(label: str, get: Getter, digits: int = 2, ratios: bool = True) -> list[str]:
    figures = {name: get(name) for name in TARGETS}
    cells = [fmt(figures[name], digits) for name in TARGETS]
    quotients = [ratio(figures[a], figures[b]) if ratios else "-" for a, b in RATIOS]
    return [label, *cells, *quotients]


def scenario_rows(
    s: Summary, key: str, concurrencies: tuple[int, ...], beside: Iterable[str]
) -> list[list[str]]:
    """Latency added over direct, requests/s, CPU per request, and who took the CPU at the
    highest concurrency (where the machine is busiest)."""
    rows = []
    for c in concurrencies:
        # At c=1 a p99 is a handful of requests a loaded machine delayed: noise, not a figure.
        for pct in (50, 99) if c > 1 else (50,):
            rows.append(row(f"  c={c} +lat p{pct} ms", lambda t, c=c, p=pct: s.added(t, key, c, p)))
    for c in concurrencies:
        rows.append(row(f"  c={c} req/s", lambda t, c=c: s.raw(t, key, c, "rps"), 0))
    rows.append(row("  req/s (saturation)", lambda t: s.saturation(t, key, concurrencies), 0))
    top = max(concurrencies)
    rows.append(row(f"  c={top} CPU ms/req", lambda t: s.cpu(t, key, top), 3))
    for name in beside:
        rows.append(row(f"  c={top} {name} % CPU", lambda t, n=name: s.share(t, key, top, n), 1, False))
    rows.append(row(f"  c={top} others % CPU", lambda t: s.share(t, key, top), 1, False))
    return rows


def error_note(s: Summary, scenarios: list[Scenario]) -> str:
    found = [f"{t} / {sc.key}: {n}" for sc in scenarios for t in TARGETS if (n := s.errors(t, sc.key))]
    return "wrk errors (sockets, non-2xx): " + ("; ".join(found) if found else "none")


def table(
    s: Summary, scenarios: list[Scenario], concurrencies: tuple[int, ...], beside: Iterable[str], cores: int
) -> str:
    beside = list(beside)
    header = ["scenario / figure", *TARGETS.values(), *(f"{a}/{b}" for a, b in RATIOS)]
    rows: list[list[str]] = []
    for scenario in scenarios:
        rows.append([scenario.title] + [""] * (len(header) - 1))
        rows += scenario_rows(s, scenario.key, concurrencies, beside)
    servers = f"{', '.join(beside)}: those local servers' whole process trees, whoever else uses them; "
    notes = textwrap.wrap(
        "Cells: median [min-max] over repetitions; direct as measured, the others' latency added over "
        "direct's median. replica: one of the three, sent to directly (the other two idle); cluster: "
        "the three through HAProxy (roundrobin), whose hop is in its latency and CPU. CPU ms/req: the "
        "target's processes (cluster: three replicas and HAProxy). % CPU: share of the whole machine "
        f"({cores} cores) during the wrk runs; {servers if beside else ''}others: every process but the "
        "targets, the fake upstream, this bench and wrk.",
        width=100,
    )
    notes.append(error_note(s, scenarios))
    noise = s.foreign()
    if noise is not None:
        notes.append(
            f"Other processes took {noise.median:.0f}% of the machine's CPU during a median run "
            f"(max {noise.high:.0f}%)."
        )
    return "\n".join([*aligned(header, rows), "", *notes])

"""Running the matrix: every scenario x concurrency x target, repeated, round-robin.

Targets are all up at once and visited in turn within each repetition, so a drift of
the machine (another tenant, a thermal step) spreads over all of them instead of
landing on whichever ran last.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from bench import procs, ttfb, wrk
from bench.scenarios import Scenario


class Serving(Protocol):
    """What the matrix reads of a process under load: where it listens, and its pid."""

    @property
    def url(self) -> str: ...

    @property
    def pid(self) -> int: ...


@dataclass(frozen=True, slots=True)
class Target:
    name: str
    service: Serving
    gateway: bool  # sent the client's path (True) or the upstream's (direct, floor)
    translates: bool  # answers in the client's dialect
    # More process trees counted as the target's (a cluster: its replicas beside HAProxy).
    also: tuple[int, ...] = ()

    def url(self, scenario: Scenario) -> str:
        return self.service.url + (scenario.client_path if self.gateway else scenario.upstream_path)

    @property
    def roots(self) -> tuple[int, ...]:
        return (self.service.pid, *self.also)


@dataclass(frozen=True, slots=True)
class Plan:
    concurrencies: tuple[int, ...]
    repeats: int
    seconds: float
    ttfb_seconds: float
    warmup_seconds: float


@dataclass
class Results:
    cells: list[dict[str, Any]] = field(default_factory=list)
    ttfb: list[dict[str, Any]] = field(default_factory=list)
    memory: dict[str, dict[str, Any]] = field(default_factory=dict)


def check(targets: list[Target], scenarios: list[Scenario], upstream: str) -> None:
    """One request per target and scenario: the answer must be whole, and the upstream
    must have been called on the scenario's path (not, say, Chat instead of Responses)."""
    for target in targets:
        for scenario in scenarios:
            before = _seen(upstream, scenario.upstream_path)
            answer = ttfb.once(target.url(scenario), scenario.body, scenario.headers)
            if answer.status != 200 or not scenario.complete(answer.body, target.translates):
                raise RuntimeError(
                    f"{target.name} / {scenario.key}: status {answer.status}, answer {answer.body[:400]!r}"
                )
            if _seen(upstream, scenario.upstream_path) != before + 1:
                raise RuntimeError(f"{target.name} / {scenario.key}: {scenario.upstream_path} was not called")


def _seen(upstream: str, path: str) -> int:
    with urllib.request.urlopen(upstream + "/stats", timeout=10) as answer:
        count: int = json.loads(answer.read()).get(path, 0)
        return count


def _body_files(scenarios: list[Scenario], folder: Path) -> dict[str, Path]:
    files = {}
    for scenario in scenarios:
        files[scenario.key] = folder / f"{scenario.key}.json"
        files[scenario.key].write_bytes(scenario.body)
    return files


def run(
    targets: list[Target],
    scenarios: list[Scenario],
    plan: Plan,
    upstream: Serving,
    beside: dict[str, int] | None = None,
) -> Results:
    """`beside`: process trees the targets load that are no target (PostgreSQL, Redis), by
    name: each cell says what share of the machine each took, and leaves it out of the
    share of other processes."""
    results = Results()
    check(targets, scenarios, upstream.url)
    time.sleep(1.0)
    idle = {t.name: procs.rss_bytes(_pids(t)) for t in targets}
    with tempfile.TemporaryDirectory(prefix="bench-bodies-") as folder:
        files = _body_files(scenarios, Path(folder))
        roots = {t.name: t.roots for t in targets}
        with procs.PeakSampler(roots) as sampler:
            sampler.label = "warm-up"
            _warm_up(targets, scenarios, files, plan)
            for repeat in range(plan.repeats):
                for scenario in scenarios:
                    sampler.label = scenario.key
                    for connections in plan.concurrencies:
                        for target in targets:
                            cell = _cell(
                                target, scenario, files[scenario.key], connections, plan, upstream.pid, beside
                            )
                            results.cells.append({**cell, "repeat": repeat})
                            if scenario.stream:
                                first = _first_bytes(target, scenario, connections, plan)
                                results.ttfb.append({**first, "repeat": repeat})
                _progress(f"repetition {repeat + 1}/{plan.repeats} done")
        time.sleep(1.0)
        for target in targets:
            results.memory[target.name] = {
                "idle_mib": idle[target.name] / procs.MIB,
                "peak_mib": sampler.peak(target.name) / procs.MIB,
                "after_mib": procs.rss_bytes(_pids(target)) / procs.MIB,
                "peak_mib_by_scenario": {k: v / procs.MIB for k, v in sampler.labelled[target.name].items()},
            }
    return results


def _pids(target: Target) -> list[int]:
    return [pid for root in target.roots for pid in procs.tree(root)]


def _warm_up(targets: list[Target], scenarios: list[Scenario], files: dict[str, Path], plan: Plan) -> None:
    for target in targets:
        for scenario in scenarios:
            url = target.url(scenario)
            wrk.run(url, files[scenario.key], scenario.headers, 16, plan.warmup_seconds)


def _cell(
    target: Target,
    scenario: Scenario,
    body: Path,
    connections: int,
    plan: Plan,
    upstream: int,
    beside: dict[str, int] | None = None,
) -> dict[str, Any]:
    beside = beside or {}
    roots = {*target.roots, upstream, *beside.values()}
    before = procs.Snapshot.take(roots)
    result = wrk.run(target.url(scenario), body, scenario.headers, connections, plan.seconds)
    after = procs.Snapshot.take(roots)
    cpu = sum(after.trees[root] - before.trees[root] for root in target.roots)
    time.sleep(0.2)  # let closed connections drain before the next run
    return {
        "target": target.name,
        "scenario": scenario.key,
        "connections": connections,
        **asdict(result),
        "rps": result.rps,
        "cpu_s_per_1000": 1000 * cpu / result.requests if result.requests else None,
        "foreign_cpu_share": before.foreign_share(after),
        "beside_cpu_share": {name: before.share(after, pid) for name, pid in beside.items()},
    }


def _first_bytes(target: Target, scenario: Scenario, connections: int, plan: Plan) -> dict[str, Any]:
    samples = ttfb.measure(
        target.url(scenario), scenario.body, scenario.headers, connections, plan.ttfb_seconds
    )
    firsts = sorted(s[0] * 1000 for s in samples)
    time.sleep(0.2)
    return {
        "target": target.name,
        "scenario": scenario.key,
        "connections": connections,
        "count": len(firsts),
        "ttfb_p50_ms": _percentile(firsts, 50),
        "ttfb_p90_ms": _percentile(firsts, 90),
        "ttfb_p99_ms": _percentile(firsts, 99),
    }


def _percentile(ordered: list[float], pct: float) -> float | None:
    if not ordered:
        return None
    return ordered[min(len(ordered) - 1, int(len(ordered) * pct / 100))]


def _progress(message: str) -> None:
    print(f"  {time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)

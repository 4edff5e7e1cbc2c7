"""Issue 7's targets, and issue 12's for a pool of accounts, checked against one run's figures."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from bench.scenarios import Scenario
from bench.summary import Summary

GATEWAY = "dragoman"
LATENCY_C1_MS = {False: 0.5, True: 0.8}  # by `translated`
THROUGHPUT_SHARE = {False: 1 / 2, True: 1 / 3}
LITELLM_FACTOR = 30
P99_C32_FACTOR = 2
IDLE_MIB, PEAK_MIB = 60, 120
POOL_SHARE = 0.95  # a pool's saturation against one account's (issue 12: within 5%)


@dataclass(frozen=True, slots=True)
class Verdict:
    goal: str
    measured: str
    met: bool | None  # None: could not be measured


def _latency(s: Summary, sc: Scenario) -> Verdict:
    limit = LATENCY_C1_MS[sc.translated]
    added = s.added(GATEWAY, sc.key, 1, 50)
    goal = f"{sc.key}: added p50 at c=1 <= {limit} ms"
    if added is None:
        return Verdict(goal, "not measured", None)
    return Verdict(goal, f"{added.median:.2f} ms", added.median <= limit)


def _throughput(s: Summary, sc: Scenario, plan: Any) -> Verdict:
    share = THROUGHPUT_SHARE[sc.translated]
    mine = s.saturation(GATEWAY, sc.key, plan.concurrencies)
    floor = s.saturation("floor", sc.key, plan.concurrencies)
    goal = f"{sc.key}: saturation >= {share:.2f} of the floor"
    if mine is None or floor is None:
        return Verdict(goal, "not measured", None)
    ratio = mine.median / floor.median
    return Verdict(goal, f"{mine.median:.0f} vs {floor.median:.0f} req/s = {ratio:.2f}", ratio >= share)


def _vs_litellm(s: Summary, sc: Scenario, plan: Any) -> Verdict:
    mine = s.saturation(GATEWAY, sc.key, plan.concurrencies)
    theirs = s.saturation("litellm", sc.key, plan.concurrencies)
    goal = f"{sc.key}: saturation >= {LITELLM_FACTOR}x LiteLLM"
    if mine is None or theirs is None:
        return Verdict(goal, "not measured (run with --litellm)", None)
    ratio = mine.median / theirs.median
    return Verdict(goal, f"{ratio:.1f}x", ratio >= LITELLM_FACTOR)


def _p99(s: Summary, sc: Scenario) -> Verdict:
    mine, floor = s.added(GATEWAY, sc.key, 32, 99), s.added("floor", sc.key, 32, 99)
    goal = f"{sc.key}: added p99 at c=32 <= {P99_C32_FACTOR}x the floor's"
    if mine is None or floor is None:
        return Verdict(goal, "not measured", None)
    text = f"{mine.median:.1f} vs {floor.median:.1f} ms"
    return Verdict(goal, text, mine.median <= P99_C32_FACTOR * max(floor.median, 0.0))


def _memory(s: Summary) -> list[Verdict]:
    idle, peak = s.memory(GATEWAY, "idle_mib"), s.memory(GATEWAY, "peak_mib")
    return [
        Verdict(f"idle RSS < {IDLE_MIB} MiB", f"{idle:.1f} MiB", idle < IDLE_MIB)
        if idle is not None
        else Verdict(f"idle RSS < {IDLE_MIB} MiB", "not measured", None),
        Verdict(f"peak RSS < {PEAK_MIB} MiB", f"{peak:.1f} MiB", peak < PEAK_MIB)
        if peak is not None
        else Verdict(f"peak RSS < {PEAK_MIB} MiB", "not measured", None),
    ]


def _pool(s: Summary, sc: Scenario, plan: Any, pool: str | None) -> Verdict:
    goal = f"{sc.key}: a pool's saturation within {1 - POOL_SHARE:.0%} of one account's"
    pooled = s.saturation(pool, sc.key, plan.concurrencies) if pool else None
    single = s.saturation(GATEWAY, sc.key, plan.concurrencies)
    if pooled is None or single is None:
        return Verdict(goal, "not measured (run with --pool 8)", None)
    ratio = pooled.median / single.median
    added = s.added(pool, sc.key, 1, 50) if pool else None
    latency = f"; added p50 at c=1 {added.median:.2f} ms" if added else ""
    measured = f"{pool}: {pooled.median:.0f} vs {single.median:.0f} req/s = {ratio:.3f}{latency}"
    return Verdict(goal, measured, ratio >= POOL_SHARE)


def check(
    s: Summary, scenarios: list[Scenario], plan: Any, workers: dict[str, Any] | None, pool: str | None = None
) -> list[Verdict]:
    verdicts = [_latency(s, sc) for sc in scenarios]
    verdicts += [_throughput(s, sc, plan) for sc in scenarios]
    verdicts += [_vs_litellm(s, sc, plan) for sc in scenarios]
    if 32 in plan.concurrencies:
        verdicts += [_p99(s, sc) for sc in scenarios]
    verdicts += _memory(s)
    verdicts.append(_scaling(workers))
    verdicts += [_pool(s, sc, plan, pool) for sc in scenarios]
    return verdicts


def _scaling(workers: dict[str, Any] | None) -> Verdict:
    goal = "--workers N scales close to linearly with cores"
    if not workers or "speedup" not in workers:
        reason = (workers or {}).get("note", "not measured (run with --workers N)")
        return Verdict(goal, reason, None)
    speedup, n = workers["speedup"], workers["workers"]
    each = ", ".join(f"{key} {value:.2f}x" for key, value in workers["speedups"].items())
    cpu = workers.get("cpu_ms_per_request", {})
    per_request = "; CPU ms/request 1 -> N: " + ", ".join(
        f"{key} {values.get(1, 0):.3f} -> {values.get(n, 0):.3f}" for key, values in cpu.items()
    )
    measured = f"{speedup:.2f}x with {n} workers ({each}){per_request if cpu else ''} ({workers['via']})"
    return Verdict(goal, measured, speedup >= 0.8 * n)


def render(verdicts: list[Verdict]) -> str:
    mark = {True: "MET   ", False: "MISSED", None: "n/a   "}
    width = max(len(v.goal) for v in verdicts)
    return "\n".join(f"  {mark[v.met]} {v.goal.ljust(width)}  {v.measured}" for v in verdicts)


def as_json(verdicts: list[Verdict]) -> list[dict[str, Any]]:
    return [asdict(v) for v in verdicts]

"""`python -m bench [--quick] [--litellm] [--workers N]`: the whole benchmark, one table.

Starts the fake upstream, the floor, dragoman (warning and info logging) and, with
`--litellm`, LiteLLM's proxy; checks every answer; runs the matrix; profiles the
translated streaming path; prints the table and the verdict on issue 7's targets; and
writes everything (JSON, table, logs) under bench/results/<time>/.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench import goals, goals16, matrix, profile, report, services, tools
from bench.matrix import Plan, Target
from bench.scenarios import SCENARIOS, Scenario
from bench.summary import Summary

RESULTS = Path(__file__).resolve().parent / "results"
FULL = Plan(concurrencies=(1, 32, 64), repeats=3, seconds=5.0, ttfb_seconds=2.0, warmup_seconds=1.0)
QUICK = Plan(concurrencies=(1, 32, 64), repeats=3, seconds=2.0, ttfb_seconds=1.0, warmup_seconds=1.0)
# (scenario, concurrency): the translated streaming cases, and the pass-through at c=64,
# where the cost of dragoman's upstream pool shows.
PROFILED = (("anthropic-responses", 32), ("claude-code", 32), ("chat", 64))
# Enough connections to keep two processes busy, few enough that dragoman's upstream pool
# (whose cost grows with its size) does not decide the result.
SCALING_CONCURRENCY = (8, 32)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short runs (about 10 minutes)")
    parser.add_argument(
        "--litellm", action="store_true", help="also LiteLLM's proxy (installed on first use)"
    )
    parser.add_argument("--workers", type=int, metavar="N", help="also measure dragoman in N processes")
    parser.add_argument(
        "--pool",
        type=int,
        metavar="N",
        help="also measure dragoman with a pool of N accounts per model (N provider tables, one fake)",
    )
    parser.add_argument(
        "--tracing-off",
        action="store_true",
        help="also measure dragoman with tracing off (`[traces] enabled = false`): what tracing costs",
    )
    parser.add_argument(
        "--viewers",
        type=int,
        metavar="N",
        help="also measure dragoman with N clients reading /v1/traces/stream meanwhile (open dashboards)",
    )
    parser.add_argument(
        "--redis",
        metavar="URL",
        help="also measure dragoman with its runtime state in this Redis (redis_url): what sharing costs",
    )
    parser.add_argument("--repeats", type=int, help="repetitions per cell (at least 3)")
    parser.add_argument("--seconds", type=float, help="seconds per wrk run")
    parser.add_argument("--scenarios", help="comma-separated subset: " + ",".join(s.key for s in SCENARIOS))
    parser.add_argument("--no-info", action="store_true", help="skip the run with info logging")
    parser.add_argument("--no-profile", action="store_true", help="skip the py-spy profile")
    parser.add_argument("--profile-only", action="store_true", help="check the answers, then only profile")
    parser.add_argument(
        "--nice",
        type=int,
        default=0,
        help="niceness of the bench and all it starts (negative: root only; for a shared machine)",
    )
    return parser.parse_args(argv)


def plan_of(args: argparse.Namespace) -> Plan:
    plan = QUICK if args.quick else FULL
    repeats = max(3, args.repeats or plan.repeats)
    return Plan(
        plan.concurrencies, repeats, args.seconds or plan.seconds, plan.ttfb_seconds, plan.warmup_seconds
    )


def chosen(args: argparse.Namespace) -> list[Scenario]:
    if not args.scenarios:
        return SCENARIOS
    keys = set(args.scenarios.split(","))
    unknown = keys - {s.key for s in SCENARIOS}
    if unknown:
        raise SystemExit(f"bench: unknown scenarios {sorted(unknown)}")
    return [s for s in SCENARIOS if s.key in keys]


def start(workdir: Path, args: argparse.Namespace) -> tuple[list[services.Service], list[Target]]:
    """Every process under test, started in order; the targets measured, `direct` first."""
    up = services.upstream(workdir)
    up.nice = args.nice
    up.start()
    started = [up]
    specs: list[tuple[str, Any, bool, bool]] = [("direct", up, False, False)]
    makers = [
        ("floor", lambda: services.floor(workdir, up.url), False, False),
        ("dragoman", lambda: services.dragoman(workdir, up.url, "dragoman", "warning"), True, True),
    ]
    if not args.no_info:
        makers.append(
            ("dragoman-info", lambda: services.dragoman(workdir, up.url, "dragoman-info", "info"), True, True)
        )
    if args.pool and args.pool > 1:
        name = f"dragoman-pool{args.pool}"
        makers.append(
            (name, lambda: services.dragoman(workdir, up.url, name, "warning", args.pool), True, True)
        )
    if args.tracing_off:
        makers.append(
            (
                "dragoman-notrace",
                lambda: services.dragoman(workdir, up.url, "dragoman-notrace", "warning", tracing=False),
                True,
                True,
            )
        )
    if args.viewers:
        name_viewed = f"dragoman-viewers{args.viewers}"
        makers.append(
            (
                name_viewed,
                lambda: services.viewed(
                    services.dragoman(workdir, up.url, name_viewed, "warning"), args.viewers
                ),
                True,
                True,
            )
        )
    if args.redis:
        makers.append(
            (
                "dragoman-redis",
                lambda: services.dragoman(workdir, up.url, "dragoman-redis", "warning", redis_url=args.redis),
                True,
                True,
            )
        )
    if args.litellm:
        makers.append(("litellm", lambda: services.litellm(workdir, up.url), True, True))
    try:
        for name, make, gateway, translates in makers:
            _say(f"starting {name}")
            service = make()
            service.nice = args.nice
            service.start()
            started.append(service)
            specs.append((name, service, gateway, translates))
    except BaseException:
        stop(started)
        raise
    return started, [Target(*spec) for spec in specs]


def stop(started: list[services.Service]) -> None:
    for service in reversed(started):
        service.stop()


def run_profiles(target: Target, scenarios: list[Scenario], plan: Plan, workdir: Path) -> dict[str, Any]:
    found: dict[str, Any] = {}
    quick = plan.seconds < 3
    # Only full-length profiles replace the committed summaries in bench/profiles.
    seconds, folder = (4.0, workdir / "profiles") if quick else (10.0, profile.PROFILES)
    by_key = {s.key: s for s in scenarios}
    for key, connections in ((k, c) for k, c in PROFILED if k in by_key):
        scenario = by_key[key]
        _say(f"profiling dragoman on {key} at c={connections} for {seconds:g} s")
        body = workdir / f"{key}.json"
        body.write_bytes(scenario.body)
        raw, svg = profile.profile_under_load(
            target.service.pid, target.url(scenario), scenario, body, connections, seconds, folder
        )
        title = f"dragoman, {scenario.title}, c={connections}, wrk load, py-spy --gil"
        summary = raw.with_suffix(".txt")
        summary.write_text(profile.summarize(raw, title))
        found[raw.stem] = {"summary": str(summary), "flamegraph": str(svg), "largest": profile.largest(raw)}
    return found


def run_scaling(
    workdir: Path, upstream: services.Service, workers: int, plan: Plan, nice: int
) -> dict[str, Any]:
    """Saturation of dragoman in 1 and in N processes, same launcher, same load."""
    keys = ("chat", "anthropic-responses")
    scenarios = [s for s in SCENARIOS if s.key in keys]
    rps: dict[str, dict[int, float]] = {s.key: {} for s in scenarios}
    # CPU ms per request at the busiest concurrency: flat from 1 to N processes means each
    # process does as much per core; the rest of the cores went to wrk and the upstream.
    cpu_ms: dict[str, dict[int, float]] = {s.key: {} for s in scenarios}
    rest = (plan.repeats, plan.seconds, 0.3, plan.warmup_seconds)
    for count in (1, workers):
        service = services.dragoman_workers(workdir, upstream.url, count)
        service.nice = nice
        target = Target(f"dragoman-x{count}", service.start(), True, True)
        try:
            partial = matrix.run([target], scenarios, Plan(SCALING_CONCURRENCY, *rest), upstream)
        finally:
            service.stop()
        summary = Summary(partial)
        for scenario in scenarios:
            best = summary.saturation(target.name, scenario.key, SCALING_CONCURRENCY)
            rps[scenario.key][count] = best.median if best else 0.0
            cpu = summary.cpu(target.name, scenario.key, max(SCALING_CONCURRENCY))
            cpu_ms[scenario.key][count] = cpu.median if cpu else 0.0
    speedups = {k: v[workers] / v[1] if v[1] else 0.0 for k, v in rps.items()}
    return {
        "workers": workers,
        "via": "dragoman serve --workers",
        "rps": rps,
        "cpu_ms_per_request": cpu_ms,
        "speedups": speedups,
        "speedup": min(speedups.values()),
    }


def metadata(args: argparse.Namespace, plan: Plan) -> dict[str, Any]:
    def out(*argv: str) -> str:
        done = subprocess.run(argv, capture_output=True, text=True, check=False, cwd=RESULTS.parent)
        return (done.stdout or done.stderr).strip().splitlines()[0] if (done.stdout or done.stderr) else ""

    return {
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "args": vars(args),
        "plan": asdict(plan),
        "git": out("git", "rev-parse", "--short", "HEAD")
        + (" (dirty)" if out("git", "status", "--short") else ""),
        "python": platform.python_version(),
        "cpus": out("nproc"),
        "kernel": platform.release(),
        "wrk": out("wrk", "-v"),
        "litellm": tools.litellm_version() if args.litellm else None,
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    plan, scenarios = plan_of(args), chosen(args)
    # On a shared box, a negative niceness lets the measured processes (and wrk, which
    # inherits the driver's) win the CPU over other tenants' work.
    services.prioritize(os.getpid(), args.nice)
    tools.ensure_wrk()
    tools.ensure_python_deps()
    if args.litellm:
        tools.ensure_litellm()
    workdir = RESULTS / time.strftime("%Y%m%d-%H%M%S")
    workdir.mkdir(parents=True)
    document = measure(args, plan, scenarios, workdir)
    if not args.profile_only:
        document |= verdict(plan, scenarios, document, workdir)
    for key, found in document["profiles"].items():
        costs = "; ".join(f"{name} {share:.0f}%" for name, share in found["largest"])
        print(f"\nLargest costs, {key} (py-spy, {found['summary']}): {costs}")
    (workdir / "results.json").write_text(json.dumps(document, indent=1, default=str))
    _say(f"results in {workdir}")
    return 0


def measure(args: argparse.Namespace, plan: Plan, scenarios: list[Scenario], workdir: Path) -> dict[str, Any]:
    """Start everything, measure, profile, stop everything: the raw material of the report."""
    started, targets = start(workdir, args)
    try:
        _say(f"measuring {len(scenarios)} scenarios x {plan.concurrencies} x {len(targets)} targets")
        if args.profile_only:
            matrix.check(targets, scenarios, started[0].url)
            results = matrix.Results()
        else:
            results = matrix.run(targets, scenarios, plan, started[0])
        gateway = next(t for t in targets if t.name == "dragoman")
        wanted = not args.no_profile and profile.available()
        profiles = run_profiles(gateway, scenarios, plan, workdir) if wanted else {}
        scaling = run_scaling(workdir, started[0], args.workers, plan, args.nice) if args.workers else None
    finally:
        stop(started)
    return {
        "meta": metadata(args, plan),
        "targets": [t.name for t in targets],
        "results": asdict(results),
        "profiles": profiles,
        "scaling": scaling,
    }


def verdict(plan: Plan, scenarios: list[Scenario], document: dict[str, Any], workdir: Path) -> dict[str, Any]:
    """Print the table and the targets' verdict; write the table next to the results."""
    summary = Summary(matrix.Results(**document["results"]))
    text = report.table(summary, scenarios, document["targets"], plan)
    pool = next((t for t in document["targets"] if t.startswith("dragoman-pool")), None)
    verdicts = goals.check(summary, scenarios, plan, document["scaling"], pool)
    latest = goals16.check(summary, scenarios, plan, document["targets"], document["scaling"])
    said = (
        f"{text}\n\nIssue 7 and 12 targets (dragoman, --log-level warning):\n{goals.render(verdicts)}"
        f"\n\nIssue 16 targets ({goals16.gateway_of(document['targets'])}):\n{goals.render(latest)}"
    )
    print(said)
    (workdir / "table.txt").write_text(said + "\n")
    return {"verdicts": goals.as_json(verdicts), "issue16": goals.as_json(latest)}


def _say(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())

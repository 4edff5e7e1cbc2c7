"""`python -m bench cluster [--quick]`: three replicas on PostgreSQL and Redis, beside one.

Starts the fake upstream (bench/upstream.py), one `dragoman serve` on SQLite as
`python -m bench` runs it, and the topology tests/cluster runs (tests/cluster/topology.py):
three `dragoman serve` replicas, each with a home of its own, one shared DRAGOMAN_SECRET_KEY,
one throwaway PostgreSQL database on the local server (DRAGOMAN_TEST_POSTGRES_URL, else
127.0.0.1:5432 as postgres) and a Redis key prefix of their own (DRAGOMAN_TEST_REDIS_URL, else
127.0.0.1:6379), behind Debian's HAProxy. Every dragoman has the bench's config (three fake
providers, a key every request carries) at `--log-level warning`.

The matrix (bench/matrix.py) measures `direct`, `dragoman`, `replica` (one of the three,
sent to directly) and `cluster` (through HAProxy) in turns, and the table (bench/cluster_table.py)
says what PostgreSQL, Redis and every other process took of the machine meanwhile: on a
2-core box running wrk, HAProxy, both servers and the replicas at once, that is the figure's
context. The database is dropped and the prefix's keys deleted at the end. Results go to
bench/results/cluster-<time>/ (each replica's log in its home there).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from tests.cluster.topology import (
    HAPROXY,
    REPLICAS,
    Cluster,
    Replica,
    free_port,
    replica_config,
    upgrade_schema,
)
from tests.databases import scratch_database
from tests.state.conftest import REDIS_URL, redis_prefix

from bench import cluster_table, matrix, procs, services, tools
from bench.matrix import Plan, Target
from bench.run import RESULTS
from bench.scenarios import SCENARIOS, Scenario
from bench.summary import Summary

FULL = Plan(concurrencies=(1, 32, 64), repeats=3, seconds=5.0, ttfb_seconds=2.0, warmup_seconds=1.0)
QUICK = Plan(concurrencies=(1, 32, 64), repeats=3, seconds=2.0, ttfb_seconds=1.0, warmup_seconds=1.0)
DEFAULT_SCENARIOS = "chat,chat-stream"
# The servers whose CPU the replicas cause, by process name: their share is the cluster's
# cost too, not noise.
SERVERS = {"postgres": "postgres", "redis": "redis-server"}


@dataclass(frozen=True, slots=True)
class Running:
    """A process the topology started, as the matrix reads it."""

    port: int
    pid: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass(frozen=True, slots=True)
class Shared:
    """Where the replicas keep what they share."""

    postgres: str
    redis: str
    prefix: str


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench cluster", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2 s runs (about 4 minutes)")
    parser.add_argument("--repeats", type=int, help="repetitions per cell (at least 3)")
    parser.add_argument("--seconds", type=float, help="seconds per wrk run")
    parser.add_argument("--scenarios", default=DEFAULT_SCENARIOS, help="comma-separated subset")
    return parser.parse_args(argv)


def plan_of(args: argparse.Namespace) -> Plan:
    plan = QUICK if args.quick else FULL
    repeats = max(3, args.repeats or plan.repeats)
    seconds = args.seconds or plan.seconds
    return Plan(plan.concurrencies, repeats, seconds, plan.ttfb_seconds, plan.warmup_seconds)


def chosen(keys: str) -> list[Scenario]:
    wanted = set(keys.split(","))
    unknown = wanted - {s.key for s in SCENARIOS}
    if unknown:
        raise SystemExit(f"bench cluster: unknown scenarios {sorted(unknown)}")
    return [s for s in SCENARIOS if s.key in wanted]


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    plan, scenarios = plan_of(args), chosen(args.scenarios)
    if not Path(HAPROXY).exists():
        raise SystemExit(f"bench cluster: {HAPROXY} is missing; install it with `apt-get install -y haproxy`")
    tools.ensure_wrk()
    tools.ensure_python_deps()
    workdir = RESULTS / time.strftime("cluster-%Y%m%d-%H%M%S")
    workdir.mkdir(parents=True)
    beside = {name: pid for name, command in SERVERS.items() if (pid := procs.server_root(command))}
    with shared_state() as shared:
        results = measure(workdir, plan, scenarios, shared, beside)
    summary = Summary(results)
    text = cluster_table.table(summary, scenarios, plan.concurrencies, beside, os.cpu_count() or 1)
    print(text)
    (workdir / "table.txt").write_text(text + "\n")
    document = {"meta": metadata(plan, scenarios), "beside": beside, "results": asdict(results)}
    (workdir / "results.json").write_text(json.dumps(document, indent=1, default=str))
    _say(f"results in {workdir}")
    return 0


@contextmanager
def shared_state() -> Iterator[Shared]:
    """A PostgreSQL database and a Redis prefix of this run's own, gone afterwards."""
    with ExitStack() as stack:
        postgres = stack.enter_context(scratch_database(f"dragoman_bench_cluster_{os.getpid()}"))
        prefix = stack.enter_context(redis_prefix())
        yield Shared(postgres, REDIS_URL, prefix)


def measure(
    workdir: Path, plan: Plan, scenarios: list[Scenario], shared: Shared, beside: dict[str, int]
) -> matrix.Results:
    """Start everything, run the matrix, stop everything."""
    upstream = services.upstream(workdir)
    started: list[services.Service] = []
    cluster: Cluster | None = None
    try:
        started.append(upstream.start())
        _say("starting dragoman (SQLite)")
        single = services.dragoman(workdir, upstream.url, "dragoman", "warning")
        started.append(single.start())
        _say(f"starting {REPLICAS} replicas on PostgreSQL and Redis behind HAProxy")
        cluster = Cluster([], free_port(), workdir)
        start_cluster(cluster, upstream.url, shared)
        targets = targets_of(upstream, single, cluster)
        _say(f"measuring {len(scenarios)} scenarios x {plan.concurrencies} x {len(targets)} targets")
        return matrix.run(targets, scenarios, plan, upstream, beside)
    finally:
        if cluster is not None:
            cluster.stop()
        for service in reversed(started):
            service.stop()


def start_cluster(cluster: Cluster, upstream_url: str, shared: Shared) -> None:
    """The replicas (appended to `cluster` before they start, so a failed start still
    stops those that did) and HAProxy in front of them."""
    upgrade_schema(shared.postgres)  # `dragoman db upgrade`, as an operator runs it first
    config = replica_config(shared.postgres, shared.redis, shared.prefix)
    config += services.dragoman_config(upstream_url)
    for number in range(REPLICAS):
        home = cluster.folder / f"replica-{number}"
        home.mkdir(mode=0o700)
        (home / "config.toml").write_text(config)
        cluster.replicas.append(Replica(home, free_port(), ("--log-level", "warning")))
    cluster.start()


def targets_of(upstream: services.Service, single: services.Service, cluster: Cluster) -> list[Target]:
    pids = []
    for replica in cluster.replicas:
        assert replica.process is not None
        pids.append(replica.process.pid)
    assert cluster.haproxy is not None
    first = cluster.replicas[0]
    return [
        Target("direct", upstream, gateway=False, translates=False),
        Target("dragoman", single, gateway=True, translates=True),
        Target("replica", Running(first.port, pids[0]), gateway=True, translates=True),
        Target("cluster", Running(cluster.port, cluster.haproxy.pid), True, True, also=tuple(pids)),
    ]


def metadata(plan: Plan, scenarios: list[Scenario]) -> dict[str, object]:
    def out(*argv: str) -> str:
        done = subprocess.run(argv, capture_output=True, text=True, check=False, cwd=RESULTS.parent)
        lines = (done.stdout or done.stderr).strip().splitlines()
        return lines[0] if lines else ""

    return {
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "plan": asdict(plan),
        "scenarios": [s.key for s in scenarios],
        "git": out("git", "rev-parse", "--short", "HEAD"),
        "cpus": os.cpu_count(),
        "haproxy": out(HAPROXY, "-v"),
        "wrk": out("wrk", "-v"),
    }


def _say(message: str) -> None:
    print(f"bench cluster: {message}", file=sys.stderr, flush=True)

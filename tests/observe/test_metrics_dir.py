"""The per-run directory of `serve --workers` metrics: fresh each run, a dead worker's
live gauge dropped, its counters kept."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from dragoman.observe import metrics_dir


def test_a_run_starts_empty_and_removes_what_a_dead_run_left(tmp_path: Path) -> None:
    run = tmp_path / "run"
    argv = [sys.executable, "-c", "import os; print(os.getpid())"]
    dead = subprocess.run(argv, capture_output=True, check=True)
    left = run / f"metrics-{int(dead.stdout)}"  # a supervisor killed with -9 left it
    living = run / f"metrics-{os.getppid()}"  # another run, still going
    for path in (left, living):
        path.mkdir(parents=True)
        (path / "counter_1.db").write_bytes(b"x")
    (run / f"metrics-{os.getpid()}").mkdir()
    (run / f"metrics-{os.getpid()}" / "counter_2.db").write_bytes(b"x")
    path = metrics_dir.prepare(tmp_path)
    assert path == run / f"metrics-{os.getpid()}"
    assert list(path.iterdir()) == []
    assert not left.exists() and living.exists()
    assert metrics_dir.environ(path)[metrics_dir.ENV] == str(path)
    metrics_dir.remove(path)
    assert not path.exists()


WORKER = """
from prometheus_client import Counter, Gauge
Counter("c", "c", registry=None).inc(3)
Gauge("g", "g", multiprocess_mode="livesum", registry=None).inc(2)
"""


def scrape(path: Path) -> dict[str, float]:
    from prometheus_client import CollectorRegistry
    from prometheus_client.multiprocess import MultiProcessCollector

    registry = CollectorRegistry()
    MultiProcessCollector(registry, str(path))  # type: ignore[no-untyped-call]
    return {sample.name: sample.value for family in registry.collect() for sample in family.samples}


def test_a_dead_workers_live_gauge_goes_and_its_counters_stay(tmp_path: Path) -> None:
    path = metrics_dir.prepare(tmp_path)
    worker = subprocess.run([sys.executable, "-c", WORKER], env=metrics_dir.environ(path), check=True)
    assert worker.returncode == 0
    assert scrape(path) == {"c_total": 3.0, "g": 2.0}
    [pid] = {name.stem.rsplit("_", 1)[1] for name in path.glob("counter_*.db")}
    metrics_dir.process_dead(path, int(pid))
    assert scrape(path) == {"c_total": 3.0}

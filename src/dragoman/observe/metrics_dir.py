"""The directory the workers of one `serve --workers` run share their metrics through.

prometheus-client's multiprocess mode keeps each process's values in files named by
its pid, and sums every file when scraped. So the directory must be fresh for each run
(a past run's counters would be added to this one's, and a reused pid would inherit
them) and private to it: `<home>/run/metrics-<supervisor pid>`, created empty at start,
removed at stop; one a killed supervisor left is removed by the next run.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

# Read by prometheus-client when imported: set in a worker's environment, it puts the
# worker in multiprocess mode.
ENV = "PROMETHEUS_MULTIPROC_DIR"
PREFIX = "metrics-"


def prepare(home: Path) -> Path:
    """A fresh, empty directory for this run (this process is the supervisor)."""
    run = home.expanduser() / "run"
    run.mkdir(parents=True, exist_ok=True, mode=0o700)
    for old in run.glob(f"{PREFIX}*"):
        if not _alive(old.name.removeprefix(PREFIX)):
            shutil.rmtree(old, ignore_errors=True)
    path = run / f"{PREFIX}{os.getpid()}"
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(mode=0o700)
    return path


def environ(path: Path) -> dict[str, str]:
    """A worker's environment: this one, in multiprocess mode over `path`."""
    return {**os.environ, ENV: str(path)}


def shared() -> Path | None:
    """The directory this process shares its metrics through, if it is a worker."""
    value = os.environ.get(ENV)
    return Path(value) if value else None


def process_dead(path: Path, pid: int) -> None:
    """A worker ended: its live gauges (in flight) stop counting; its counters stay."""
    from prometheus_client.multiprocess import mark_process_dead

    mark_process_dead(pid, str(path))  # type: ignore[no-untyped-call]


def remove(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def _alive(pid: str) -> bool:
    if not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True

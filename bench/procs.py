"""Process-tree figures from /proc: CPU seconds and resident memory.

A target is measured with everything it started (LiteLLM may fork workers), so each
reading first walks /proc for the root's descendants.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
TICK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
MIB = 1024 * 1024


def _stat_fields(pid: int) -> list[str] | None:
    try:
        raw = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces: split after its closing parenthesis.
    return raw[raw.rfind(")") + 2 :].split()


def tree(root: int) -> list[int]:
    """`root` and all its descendants that are alive now."""
    children: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            fields = _stat_fields(int(entry.name))
            if fields is not None:
                children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [root]
    while todo and len(found) < 10_000:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def server_root(command: str) -> int | None:
    """The pid of the first process named `command` whose parent is not: a server's
    master (PostgreSQL's postmaster, whose backends are its children), or None."""
    names = {}
    parents = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            fields = _stat_fields(int(entry.name))
            try:
                name = (entry / "comm").read_text().strip()
            except OSError:
                continue
            if fields is not None:
                names[int(entry.name)], parents[int(entry.name)] = name, int(fields[1])
    masters = [pid for pid, name in names.items() if name == command and names.get(parents[pid]) != command]
    return min(masters) if masters else None


def cpu_seconds(root: int) -> float:
    """User + system time of the tree, including children the root has reaped."""
    total = 0
    for pid in tree(root):
        fields = _stat_fields(pid)
        if fields is None:
            continue
        total += int(fields[11]) + int(fields[12])
        if pid == root:
            total += int(fields[13]) + int(fields[14])
    return total / TICK


@dataclass(frozen=True, slots=True)
class Snapshot:
    """CPU seconds so far: the whole machine's busy time, this driver's (with the wrk runs
    it has reaped), and each measured tree's. Two snapshots give the share of the machine
    that other processes took meanwhile: the noise in a shared box."""

    at: float
    machine: float
    driver: float
    trees: dict[int, float]

    @classmethod
    def take(cls, roots: set[int]) -> Snapshot:
        times = os.times()
        driver = times.user + times.system + times.children_user + times.children_system
        trees = {root: cpu_seconds(root) for root in roots}
        return cls(time.monotonic(), _machine_busy(), driver, trees)

    def foreign_share(self, later: Snapshot) -> float:
        ours = later.driver - self.driver + sum(later.trees[r] - self.trees[r] for r in self.trees)
        spent = later.machine - self.machine - ours
        return max(0.0, spent) / self._capacity(later)

    def share(self, later: Snapshot, root: int) -> float:
        """The share of the machine one measured tree took between the two."""
        return max(0.0, later.trees[root] - self.trees[root]) / self._capacity(later)

    def _capacity(self, later: Snapshot) -> float:
        """CPU seconds the machine had between the two."""
        return (later.at - self.at) * (os.cpu_count() or 1)


def _machine_busy() -> float:
    fields = [int(x) for x in (PROC / "stat").read_text().split("\n", 1)[0].split()[1:9]]
    user, nice, system, _idle, _iowait, _irq, _softirq, steal = fields
    # Interrupt time is left out: loopback traffic's softirq work is ours but charged to no process.
    return (user + nice + system + steal) / TICK


def rss_bytes(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            total += int((PROC / str(pid) / "statm").read_text().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            continue
    return total


def high_water_bytes(pid: int) -> int:
    """The kernel's own peak resident size of one process (VmHWM)."""
    try:
        for line in (PROC / str(pid) / "status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class PeakSampler:
    """Samples the resident size of several targets in a thread, each one or more process
    trees; keeps each target's maximum, overall and per `label` (set by the caller to the
    scenario running)."""

    def __init__(self, roots: dict[str, tuple[int, ...]], interval: float = 0.1) -> None:
        self.roots = roots
        self.interval = interval
        self.peaks = dict.fromkeys(roots, 0)
        self.label = ""
        self.labelled: dict[str, dict[str, int]] = {name: {} for name in roots}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        trees = self._trees()
        rounds = 0
        while not self._stop.wait(self.interval):
            rounds += 1
            if rounds % 20 == 0:  # a new child is rare: look for them every 2 s only
                trees = self._trees()
            for name, pids in trees.items():
                size = rss_bytes(pids)
                self.peaks[name] = max(self.peaks[name], size)
                if self.label:
                    by_label = self.labelled[name]
                    by_label[self.label] = max(by_label.get(self.label, 0), size)

    def _trees(self) -> dict[str, list[int]]:
        return {name: [pid for root in roots for pid in tree(root)] for name, roots in self.roots.items()}

    def peak(self, name: str) -> int:
        """The sampled peak, or a root's VmHWM if higher (a spike between two samples)."""
        return max(self.peaks.get(name, 0), *(high_water_bytes(root) for root in self.roots[name]))

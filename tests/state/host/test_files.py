"""The host backend's files: private, and never a stranger's file rewritten."""

from __future__ import annotations

import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dragoman.state import open_state


async def test_the_state_folder_and_files_are_private(tmp_path: Path) -> None:
    async with open_state(tmp_path / "home") as state:
        state.health.strike("alice", "", "quota", "429")
    folder = tmp_path / "home" / "state"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for path in folder.iterdir():
        if path.is_file():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_a_file_of_another_format_is_refused_not_rewritten(tmp_path: Path) -> None:
    folder = tmp_path / "home" / "state"
    folder.mkdir(parents=True)
    (folder / "counters.bin").write_bytes(b"something else entirely")
    with pytest.raises(RuntimeError, match=r"counters\.bin is not a dragoman state file"):
        open_state(tmp_path / "home")
    assert (folder / "counters.bin").read_bytes() == b"something else entirely"


# Opens a fresh journal every 0.2 s from a shared start time: the processes race on
# each new file, as `serve --workers N` does on a home that has no state yet.
OPEN_TOGETHER = """
import sys, time
from pathlib import Path
from dragoman.state.host.journal import Journal
for n in range(12):
    time.sleep(max(0.0, float(sys.argv[2]) + n * 0.2 - time.time()))
    Journal(Path(sys.argv[1]) / str(n) / "state.db", origin="p")
"""


def test_processes_starting_together_all_open_a_new_journal(tmp_path: Path) -> None:
    start_at = str(time.time() + 1.5)
    argv = [sys.executable, "-c", OPEN_TOGETHER, str(tmp_path), start_at]
    runs = [subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(8)]
    failures = [err.decode() for run in runs for _, err in [run.communicate(timeout=60)] if run.returncode]
    assert failures == []

"""The host backend's files: private, and never a stranger's file rewritten."""

from __future__ import annotations

import stat
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

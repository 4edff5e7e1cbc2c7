"""Backups and `--undo`: the file as it was before dragoman's first change comes back
byte for byte, with its mode; a file dragoman made is removed."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from dragoman.cli.setup.files import FileChange, apply, backup_of, marker_of, undo


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_first_backup_is_kept_and_undo_restores_it_byte_for_byte(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    original = b'{"theme": "dark"}\r\n\xc3\xa9 no newline at the end'
    path.write_bytes(original)
    os.chmod(path, 0o640)
    assert apply([FileChange(path, "first\n")]) == [path]
    assert apply([FileChange(path, "second\n")]) == [path]
    assert path.read_text() == "second\n" and mode(path) == 0o600
    assert backup_of(path).read_bytes() == original
    assert undo([path]) == [path]
    assert path.read_bytes() == original and mode(path) == 0o640
    assert not backup_of(path).exists()


def test_a_file_that_already_holds_the_text_is_not_touched(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("same\n")
    assert apply([FileChange(path, "same\n")]) == []
    assert not backup_of(path).exists() and not marker_of(path).exists()
    assert undo([path]) == []


def test_a_file_setup_created_is_removed_by_undo(tmp_path: Path) -> None:
    path = tmp_path / "new" / ".env"
    apply([FileChange(path, "A=1\n")])
    assert marker_of(path).exists() and path.read_text() == "A=1\n"
    assert undo([path]) == [path]
    assert not path.exists() and not marker_of(path).exists()

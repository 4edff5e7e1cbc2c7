"""Writing a client's config files with a backup of each, and putting them back.

Before the first change to a file, its bytes are copied to `FILE.dragoman-backup`; a
file that did not exist gets an empty `FILE.dragoman-created` marker instead. Later
runs keep that first backup, so `--undo` always returns the file to what it was
before dragoman ever touched it, byte for byte, or removes the file dragoman made.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

BACKUP = ".dragoman-backup"
CREATED = ".dragoman-created"
# Files holding a key are the user's alone.
PRIVATE = 0o600


@dataclass(frozen=True, slots=True)
class FileChange:
    """What one file should hold once a client is set up."""

    path: Path
    text: str

    @property
    def current(self) -> str | None:
        return self.path.read_text(encoding="utf-8") if self.path.exists() else None

    @property
    def changes_anything(self) -> bool:
        return self.current != self.text


def backup_of(path: Path) -> Path:
    return path.with_name(path.name + BACKUP)


def marker_of(path: Path) -> Path:
    return path.with_name(path.name + CREATED)


def apply(changes: list[FileChange]) -> list[Path]:
    """Write every file that differs (backing it up first); the paths written."""
    written = []
    for change in changes:
        if change.changes_anything:
            _back_up(change.path)
            write_private(change.path, change.text)
            written.append(change.path)
    return written


def undo(paths: list[Path]) -> list[Path]:
    """Put back each file dragoman changed (or remove one it made); the paths restored."""
    restored = []
    for path in paths:
        backup, marker = backup_of(path), marker_of(path)
        if backup.exists():
            os.replace(backup, path)
            restored.append(path)
        elif marker.exists():
            path.unlink(missing_ok=True)
            marker.unlink()
            restored.append(path)
    return restored


def _back_up(path: Path) -> None:
    backup, marker = backup_of(path), marker_of(path)
    if backup.exists() or marker.exists():
        return  # the state before dragoman's first change is the one to keep
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        shutil.copy2(path, backup)  # its mode too: undo restores the file as it was
    else:
        marker.touch(mode=PRIVATE)


def write_private(path: Path, text: str) -> None:
    """Replace `path` at once with `text`, readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.chmod(temporary, PRIVATE)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise

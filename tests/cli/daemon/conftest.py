"""Stand-in service managers: `systemctl`, `journalctl`, `launchctl` and `tail` scripts on
PATH that record each call (one line of arguments) and answer as the real ones do
for the questions `dragoman daemon` asks."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# What each stand-in prints for a call whose arguments contain the key.
ANSWERS = {
    "systemctl": {"is-active": "active"},
    "launchctl": {"print": "gui/501/dev.dragoman.gateway = {\n\tstate = running\n\tpid = 4242\n}"},
}
SCRIPT = """#!/bin/sh
echo "$(basename "$0") $*" >> "{calls}"
{answers}
exit 0
"""


class Calls:
    def __init__(self, path: Path) -> None:
        self.path = path

    def __call__(self) -> list[str]:
        """The calls so far, and forget them."""
        lines = self.path.read_text().splitlines() if self.path.exists() else []
        self.path.unlink(missing_ok=True)
        return lines


def stand_in(folder: Path, name: str, calls: Path) -> None:
    answers = "\n".join(
        f'case " $* " in *" {word} "*) printf "%s\\n" "{text}";; esac'
        for word, text in ANSWERS.get(name, {}).items()
    )
    script = folder / name
    script.write_text(SCRIPT.format(calls=calls, answers=answers))
    script.chmod(0o755)


@pytest.fixture
def calls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dragoman_home: Path) -> Calls:
    """The recorder; HOME is a fresh folder and the stand-ins come first on PATH."""
    folder = tmp_path / "bin"
    folder.mkdir()
    recorded = tmp_path / "calls.log"
    for name in ("systemctl", "journalctl", "launchctl", "tail"):
        stand_in(folder, name, recorded)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    dragoman_home.mkdir(parents=True)
    (dragoman_home / "config.toml").write_text('detect_ollama = false\napi_keys = ["the-secret-key"]\n')
    return Calls(recorded)

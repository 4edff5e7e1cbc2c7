"""`dragoman doctor`: the background service, when `dragoman daemon install` made one,
read through a stand-in `systemctl` on PATH."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.cli.daemon.conftest import stand_in
from tests.cli.doctor.conftest import doctor, findings


@pytest.fixture
def unit(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "bin"
    folder.mkdir()
    stand_in(folder, "systemctl", tmp_path / "calls.log")
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    path = Path(os.environ["HOME"]) / ".config" / "systemd" / "user" / "dragoman.service"
    path.parent.mkdir(parents=True)
    path.write_text("[Service]\nExecStart=/bin/true\n")
    return path


def test_no_service_is_not_reported(home: Path) -> None:
    assert findings(doctor(), "daemon") == []


def test_an_installed_service_that_runs_passes(unit: Path) -> None:
    [found] = findings(doctor(), "daemon")
    assert found["area"] == "daemon (systemd)" and found["detail"] == f"active, from {unit}"


def test_an_installed_service_that_stopped_fails_with_how_to_start_it(
    unit: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stopped = tmp_path / "stopped"
    stopped.mkdir()
    (stopped / "systemctl").write_text("#!/bin/sh\necho inactive\nexit 3\n")
    (stopped / "systemctl").chmod(0o755)
    monkeypatch.setenv("PATH", f"{stopped}{os.pathsep}{os.environ['PATH']}")
    [found] = findings(doctor(exit_code=1), "daemon")
    assert found["detail"] == "installed but inactive" and found["fix"].startswith("dragoman daemon start")

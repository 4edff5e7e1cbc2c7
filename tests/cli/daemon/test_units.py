"""The systemd unit as systemd itself reads it (`systemd-analyze verify --user`, from
Debian's systemd package), and the LaunchAgent as launchd's plist format.

The plist is checked by parsing it back with plistlib; `plutil -lint` exists only on
macOS, where these tests have not run."""

from __future__ import annotations

import plistlib
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from dragoman.cli.daemon import serve_command
from dragoman.cli.daemon.units import launchd_plist, systemd_unit

HOME = Path("/srv/my dragoman %h $USER")  # spaces, a specifier and a variable to escape


def verify(unit: Path, runtime: Path) -> subprocess.CompletedProcess[str]:
    analyze = shutil.which("systemd-analyze")
    assert analyze is not None, "systemd-analyze is missing: `apt-get install -y systemd` (.ci/run does)"
    runtime.mkdir(mode=0o700)
    # A user manager needs a runtime folder; a container has none of its own.
    env = {"XDG_RUNTIME_DIR": str(runtime), "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [analyze, "verify", "--user", str(unit)], capture_output=True, text=True, env=env, check=False
    )


def test_systemd_reads_the_unit_without_a_complaint(tmp_path: Path) -> None:
    command = serve_command(HOME, HOME / "config.toml", "127.0.0.1:4800", 2, "info")
    unit = tmp_path / "dragoman.service"
    unit.write_text(systemd_unit(command))
    checked = verify(unit, tmp_path / "run")
    assert checked.returncode == 0 and checked.stderr == "", checked.stderr


def test_systemd_would_complain_of_a_broken_unit(tmp_path: Path) -> None:
    unit = tmp_path / "dragoman.service"
    unit.write_text(systemd_unit(["/bin/true"]).replace("Type=exec", "Type=bogus"))
    assert "Failed to parse service type" in verify(unit, tmp_path / "run").stderr


@pytest.mark.parametrize("word", [str(HOME), 'say "hi"', "back\\slash"])
def test_each_word_of_the_command_reaches_the_service_as_it_is(tmp_path: Path, word: str) -> None:
    unit = tmp_path / "dragoman.service"
    unit.write_text(systemd_unit(["/bin/echo", word]))
    assert verify(unit, tmp_path / "run").stderr == ""
    line = next(line for line in unit.read_text().splitlines() if line.startswith("ExecStart="))
    assert unescape(line.removeprefix("ExecStart=")) == ["/bin/echo", word]


def unescape(text: str) -> list[str]:
    """ExecStart's words split as systemd does for what the unit uses: double quotes with
    backslash escapes (as POSIX shells read them), then `%%` and `$$` undoubled."""
    return [word.replace("%%", "%").replace("$$", "$") for word in shlex.split(text)]


def test_the_launch_agent_is_a_plist_launchd_reads(tmp_path: Path) -> None:
    command = serve_command(HOME, HOME / "config.toml", None, None, None)
    agent = plistlib.loads(launchd_plist(command, HOME / "daemon.log").encode())
    assert agent["ProgramArguments"] == command and agent["RunAtLoad"] is True
    assert agent["KeepAlive"] == {"SuccessfulExit": False}
    assert agent["StandardErrorPath"] == str(HOME / "daemon.log")

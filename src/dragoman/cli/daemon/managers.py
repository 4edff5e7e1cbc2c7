"""The service managers: systemd's user instance on Linux, launchd on macOS. Each says
where its definition lives and which commands start, stop and read the service; the
commands are run by name from PATH (`systemctl`, `journalctl`, `launchctl`, `tail`)."""

from __future__ import annotations

import os
import plistlib
import shlex
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import click

from dragoman.cli.daemon.units import LABEL, UNIT, launchd_plist, systemd_unit

Environ = Mapping[str, str]


def run(argv: list[str], *, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run a service-manager command; a failure ends the command with its own words."""
    try:
        done = subprocess.run(argv, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise click.ClickException(
            f"`{argv[0]}` is not on PATH: is this the machine's service manager?"
        ) from None
    if check and done.returncode != 0:
        said = (done.stderr or done.stdout).strip()
        raise click.ClickException(f"`{shlex.join(argv)}` failed (rc={done.returncode}): {said}")
    return done


@dataclass(frozen=True, slots=True)
class Systemd:
    """A systemd user unit: started at login (or boot, with `loginctl enable-linger`)."""

    environ: Environ
    name: str = "systemd"

    @property
    def path(self) -> Path:
        config = self.environ.get("XDG_CONFIG_HOME") or str(
            Path(self.environ.get("HOME") or Path.home()) / ".config"
        )
        return Path(config) / "systemd" / "user" / UNIT

    def definition(self, command: list[str], home: Path) -> str:
        return systemd_unit(command)

    def command(self) -> list[str]:
        """The installed `dragoman serve` command line, read back from the unit."""
        for line in self.path.read_text().splitlines():
            if line.startswith("ExecStart="):
                return shlex.split(line.removeprefix("ExecStart="))
        return []

    def installed(self) -> None:
        self._systemctl("daemon-reload")
        self._systemctl("enable", UNIT)
        self._systemctl("restart", UNIT)  # starts it, or restarts it with new options

    def start(self) -> None:
        self._systemctl("start", UNIT)

    def stop(self) -> None:
        self._systemctl("stop", UNIT)

    def restart(self) -> None:
        self._systemctl("restart", UNIT)

    def state(self) -> str:
        return run(["systemctl", "--user", "is-active", UNIT], check=False).stdout.strip() or "unknown"

    def logs(self, lines: int, follow: bool) -> list[str]:
        return [
            "journalctl",
            "--user",
            "--unit",
            UNIT,
            "--lines",
            str(lines),
            *(["--follow"] if follow else []),
        ]

    def removing(self) -> None:
        self._systemctl("disable", "--now", UNIT)

    def removed(self) -> None:
        self._systemctl("daemon-reload")

    def _systemctl(self, *args: str) -> None:
        run(["systemctl", "--user", *args])


@dataclass(frozen=True, slots=True)
class Launchd:
    """A LaunchAgent: started at login; its output goes to daemon.log in dragoman's folder."""

    environ: Environ
    name: str = "launchd"

    @property
    def path(self) -> Path:
        return Path(self.environ.get("HOME") or Path.home()) / "Library" / "LaunchAgents" / f"{LABEL}.plist"

    @property
    def domain(self) -> str:
        return f"gui/{os.getuid()}"

    def definition(self, command: list[str], home: Path) -> str:
        return launchd_plist(command, home / "daemon.log")

    def command(self) -> list[str]:
        return list(plistlib.loads(self.path.read_bytes()).get("ProgramArguments", []))

    def log_file(self) -> Path:
        return Path(plistlib.loads(self.path.read_bytes())["StandardOutPath"])

    def installed(self) -> None:
        run(["launchctl", "bootout", f"{self.domain}/{LABEL}"], check=False)  # an older one
        run(["launchctl", "bootstrap", self.domain, str(self.path)])

    def start(self) -> None:
        run(["launchctl", "bootstrap", self.domain, str(self.path)])

    def stop(self) -> None:
        # Unloaded, so KeepAlive does not bring it back; `start` loads it again.
        run(["launchctl", "bootout", f"{self.domain}/{LABEL}"])

    def restart(self) -> None:
        run(["launchctl", "kickstart", "-k", f"{self.domain}/{LABEL}"])

    def state(self) -> str:
        done = run(["launchctl", "print", f"{self.domain}/{LABEL}"], check=False)
        if done.returncode != 0:
            return "not loaded"
        states = [
            line.split("=", 1)[1].strip()
            for line in done.stdout.splitlines()
            if line.strip().startswith("state =")
        ]
        return states[0] if states else "loaded"

    def logs(self, lines: int, follow: bool) -> list[str]:
        return ["tail", "-n", str(lines), *(["-F"] if follow else []), str(self.log_file())]

    def removing(self) -> None:
        run(["launchctl", "bootout", f"{self.domain}/{LABEL}"], check=False)

    def removed(self) -> None:
        return None


Manager = Systemd | Launchd


def manager(name: str | None, environ: Environ = os.environ) -> Manager:
    """The machine's service manager, or the one named (`--manager`)."""
    chosen = name or ("launchd" if sys.platform == "darwin" else "systemd")
    return Launchd(environ) if chosen == "launchd" else Systemd(environ)

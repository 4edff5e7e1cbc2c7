"""The service definitions: a systemd user unit and a launchd LaunchAgent, each running
`dragoman serve` with the options given at install time. No key is ever written here:
keys stay in config.toml (0600), which `serve` reads."""

from __future__ import annotations

import plistlib
import re
from pathlib import Path

LABEL = "dev.dragoman.gateway"  # the LaunchAgent's label
UNIT = "dragoman.service"
# systemd splits ExecStart on spaces and reads quotes, backslashes and specifiers (%).
_PLAIN_WORD = re.compile(r"[A-Za-z0-9_@+=:,./-]+")


def systemd_unit(command: list[str]) -> str:
    return f"""\
[Unit]
Description=dragoman, the local LLM gateway

[Service]
Type=exec
ExecStart={" ".join(map(_systemd_word, command))}
Restart=on-failure
RestartSec=2
# SIGTERM lets requests in flight finish (shutdown_grace_seconds) before the stop timeout.
TimeoutStopSec=30

[Install]
WantedBy=default.target
"""


def _systemd_word(word: str) -> str:
    if _PLAIN_WORD.fullmatch(word):
        return word
    escaped = word.replace("\\", "\\\\").replace('"', '\\"').replace("%", "%%").replace("$", "$$")
    return f'"{escaped}"'


def launchd_plist(command: list[str], log_file: Path) -> str:
    agent = {
        "Label": LABEL,
        "ProgramArguments": command,
        "RunAtLoad": True,
        # Restarted when it exits with an error, not after a clean `daemon stop`.
        "KeepAlive": {"SuccessfulExit": False},
        "StandardOutPath": str(log_file),
        "StandardErrorPath": str(log_file),
        "ProcessType": "Background",
    }
    return plistlib.dumps(agent).decode()

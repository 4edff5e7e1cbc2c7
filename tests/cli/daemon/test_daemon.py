"""`dragoman daemon` against stand-in `systemctl` / `journalctl` / `launchctl` / `tail`
on PATH: the service definition written, the calls made, the state and the health."""

from __future__ import annotations

import os
import plistlib
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from dragoman.cli import cli
from tests.cli.daemon.conftest import Calls
from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import closed_port, serve_gateway

UNIT = "dragoman.service"


def daemon(*args: str, exit_code: int = 0) -> Result:
    result = CliRunner().invoke(cli, ["daemon", *args])
    assert result.exit_code == exit_code, result.output
    return result


def unit_path() -> Path:
    return Path(os.environ["HOME"]) / ".config" / "systemd" / "user" / UNIT


def test_install_writes_the_unit_with_the_options_and_no_key_then_starts_it(
    calls: Calls, dragoman_home: Path
) -> None:
    daemon("install", "--bind", "127.0.0.1:4999", "--workers", "2")
    unit = unit_path().read_text()
    home = dragoman_home.resolve()
    expected = f"{sys.executable} -m dragoman serve --home {home} --config {home / 'config.toml'}"
    assert f"ExecStart={expected} --bind 127.0.0.1:4999 --workers 2\n" in unit
    assert "the-secret-key" not in unit and "Environment" not in unit
    assert calls() == [
        "systemctl --user daemon-reload",
        f"systemctl --user enable {UNIT}",
        f"systemctl --user restart {UNIT}",
    ]


def test_a_key_only_in_the_environment_is_refused_beyond_loopback(
    calls: Calls, dragoman_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (dragoman_home / "config.toml").write_text("detect_ollama = false\n")
    monkeypatch.setenv("DRAGOMAN_API_KEY", "from-the-environment")
    result = daemon("install", "--bind", "0.0.0.0:4800", exit_code=2)
    assert "without an API key, and keys are never written into it" in result.output
    assert not unit_path().exists() and calls() == []


def test_start_stop_restart_logs_and_uninstall_drive_systemctl(calls: Calls) -> None:
    daemon("install")
    calls()
    for command in ("start", "stop", "restart"):
        daemon(command)
    daemon("logs", "--lines", "20")
    daemon("uninstall")
    assert calls() == [
        f"systemctl --user start {UNIT}",
        f"systemctl --user stop {UNIT}",
        f"systemctl --user restart {UNIT}",
        f"journalctl --user --unit {UNIT} --lines 20 --follow",
        f"systemctl --user disable --now {UNIT}",
        "systemctl --user daemon-reload",
    ]
    assert not unit_path().exists()


def test_status_is_the_service_state_and_the_gateways_health(calls: Calls, fakes: FakeUpstreams) -> None:
    with serve_gateway(fakes) as url:
        daemon("install", "--bind", url.removeprefix("http://"))
        shown = daemon("status").output
    assert shown.startswith("systemd service: active\n")
    assert f"gateway at {url}: healthy" in shown
    with closed_port() as port:
        daemon("install", "--bind", f"127.0.0.1:{port}")
        assert "not answering" in daemon("status", exit_code=1).output


def test_commands_before_install_say_how_to_install(calls: Calls) -> None:
    for command in ("start", "stop", "status", "logs", "uninstall"):
        assert "run `dragoman daemon install`" in daemon(command, exit_code=1).output
    assert calls() == []


def test_launchd_gets_a_launch_agent_logging_to_the_home(calls: Calls, dragoman_home: Path) -> None:
    daemon("install", "--manager", "launchd")
    plist = Path(os.environ["HOME"]) / "Library" / "LaunchAgents" / "dev.dragoman.gateway.plist"
    agent = plistlib.loads(plist.read_bytes())
    home = dragoman_home.resolve()
    assert agent["ProgramArguments"][1:4] == ["-m", "dragoman", "serve"]
    assert agent["StandardOutPath"] == str(home / "daemon.log")
    assert b"the-secret-key" not in plist.read_bytes()
    domain = f"gui/{os.getuid()}"
    assert calls() == [
        f"launchctl bootout {domain}/dev.dragoman.gateway",
        f"launchctl bootstrap {domain} {plist}",
    ]
    assert "launchd service: running" in daemon("status", "--manager", "launchd", exit_code=1).output
    daemon("logs", "--manager", "launchd", "--no-follow")
    daemon("stop", "--manager", "launchd")
    assert calls() == [
        f"launchctl print {domain}/dev.dragoman.gateway",
        f"tail -n 100 {home / 'daemon.log'}",
        f"launchctl bootout {domain}/dev.dragoman.gateway",
    ]


def test_launchd_start_restart_and_uninstall_drive_launchctl(calls: Calls) -> None:
    daemon("install", "--manager", "launchd")
    calls()
    plist = Path(os.environ["HOME"]) / "Library" / "LaunchAgents" / "dev.dragoman.gateway.plist"
    target = f"gui/{os.getuid()}/dev.dragoman.gateway"
    for command in ("start", "restart", "uninstall"):
        daemon(command, "--manager", "launchd")
    assert calls() == [
        f"launchctl bootstrap gui/{os.getuid()} {plist}",
        f"launchctl kickstart -k {target}",
        f"launchctl bootout {target}",
    ]
    assert not plist.exists()


def test_a_failing_systemctl_is_reported_in_its_own_words(
    calls: Calls, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    failing = tmp_path / "failing"
    failing.mkdir()
    said = "Failed to connect to bus: No medium found"
    (failing / "systemctl").write_text(f"#!/bin/sh\necho '{said}' >&2\nexit 1\n")
    (failing / "systemctl").chmod(0o755)
    monkeypatch.setenv("PATH", f"{failing}{os.pathsep}{os.environ['PATH']}")
    result = daemon("install", exit_code=1)
    assert "`systemctl --user daemon-reload` failed (rc=1): Failed to connect to bus" in result.output


def test_install_warns_when_others_can_read_the_keys_it_leaves_in_the_config(
    calls: Calls, dragoman_home: Path
) -> None:
    config = dragoman_home / "config.toml"
    config.chmod(0o644)
    warned = daemon("install").output
    assert f"warning: {config.resolve()} holds keys and is 0644: run `chmod 600 {config.resolve()}`" in warned
    config.chmod(0o600)
    assert "warning" not in daemon("install").output

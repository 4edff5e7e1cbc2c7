"""A home for `dragoman doctor`: private folder and config, on a port nothing uses."""

from __future__ import annotations

import socket
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from dragoman.cli import cli
from tests.fakes.fixtures import FakeUpstreams


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def provider_lines(fakes: FakeUpstreams, dialect: str = "openai_chat", name: str = "work") -> str:
    fake = fakes[dialect]
    return (
        f'[providers.{name}]\nkind = "openai_compatible"\ndialect = "{dialect}"\n'
        f'base_url = "{fake.base_url}"\napi_key = "{fake.key}"\nmodels = ["m1"]\n'
    )


@pytest.fixture
def home(dragoman_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """dragoman's folder (0700) with an empty config (0600); binds a free port; HOME empty."""
    dragoman_home.mkdir(mode=0o700, parents=True)
    write_config(dragoman_home, "detect_ollama = false\n")
    monkeypatch.setenv("DRAGOMAN_BIND", f"127.0.0.1:{free_port()}")
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    for name in ("CLAUDE_CONFIG_DIR", "CODEX_HOME", "GEMINI_CLI_HOME", "XDG_CONFIG_HOME"):
        monkeypatch.delenv(name, raising=False)
    return dragoman_home


def write_config(home: Path, text: str) -> None:
    path = home / "config.toml"
    path.write_text(text)
    path.chmod(0o600)


def doctor(*args: str, exit_code: int = 0) -> dict[str, object]:
    """The JSON report of `dragoman doctor --json ARGS`."""
    result = CliRunner().invoke(cli, ["doctor", "--json", *args])
    assert result.exit_code == exit_code, result.output
    report: dict[str, object] = orjson.loads(result.stdout)
    assert report["ok"] is (exit_code == 0)
    return report


def findings(report: dict[str, object], area: str) -> list[dict[str, str]]:
    return [item for item in report["findings"] if item["area"].startswith(area)]  # type: ignore[attr-defined,index]

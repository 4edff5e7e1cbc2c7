"""The README's client sections say exactly what the tests do: the same `dragoman setup`
lines, the files it writes as `--print` shows them, the same command lines."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from dragoman.cli import cli
from tests.clients.agents import AGENTS, OPENCODE_FAMILY, Setup, exports
from tests.clients.install import ROOT

README = (ROOT / "README.md").read_text()
# A dragoman serving the README's models, with a key (shown masked as <key>).
CONFIG = """\
api_keys = ["local-secret"]
[providers.openai]
kind = "openai"
api_key = "sk-test"
[providers.gemini]
kind = "gemini"
api_key = "test"
"""


def section(title: str) -> str:
    start = README.index(f"### {title}\n")
    end = README.find("\n### ", start + 1)
    return README[start:end]


def blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", text, re.DOTALL)


def command_line(text: str, program: str) -> list[str]:
    for block in blocks(text, "sh"):
        for line in block.splitlines():
            words = shlex.split(line, comments=True)
            if words[:1] == [program]:
                return words
    raise AssertionError(f"no `{program} ...` line in the README section")


@pytest.fixture
def user(dragoman_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A HOME with nothing in it, and a dragoman config serving the README's models."""
    monkeypatch.setenv("HOME", str(tmp_path))
    for name in ("CLAUDE_CONFIG_DIR", "CODEX_HOME", "GEMINI_CLI_HOME", "XDG_CONFIG_HOME"):
        monkeypatch.delenv(name, raising=False)
    dragoman_home.mkdir(parents=True)
    (dragoman_home / "config.toml").write_text(CONFIG)
    return tmp_path


def printed_files(text: str) -> dict[str, str]:
    """The files the section's `dragoman setup` line would write (run with --print), by name."""
    line = command_line(text, "dragoman")
    result = CliRunner().invoke(cli, [*line[1:], "--print"])
    assert result.exit_code == 0, result.output
    found = re.findall(r"^# (\S+) \(would change\)\n(.*?)\n(?=# /|\nThen:)", result.output, re.M | re.S)
    return {Path(path).name: body for path, body in found}


def agent_command(name: str, home: Path) -> list[str]:
    """The command line the tests run agent `name` with, as a user types it."""
    agent = AGENTS[name]
    setup = Setup(Path("/bin") / agent.package.command, home, home, "", "", "", home / "config.toml")
    argv, _ = agent.command(setup, "Reply with OK")
    return [Path(argv[0]).name, *argv[1:]]


def test_claude_code_section(user: Path) -> None:
    text = section("Claude Code")
    [settings] = blocks(text, "json")
    assert orjson.loads(settings) == orjson.loads(printed_files(text)["settings.json"])
    assert command_line(text, "claude") == agent_command("claude-code", user)
    assert f"{AGENTS['claude-code'].package.spec} --engine-strict=false" in text


def test_codex_section(user: Path) -> None:
    text = section("Codex CLI")
    [config] = blocks(text, "toml")
    assert config == printed_files(text)["config.toml"]
    assert command_line(text, "codex") == agent_command("codex", user)
    assert f"Tested with {AGENTS['codex'].package.version}" in text


def test_gemini_cli_section(user: Path) -> None:
    text = section("Gemini CLI")
    [settings] = blocks(text, "json")
    files = printed_files(text)
    assert orjson.loads(settings) == orjson.loads(files["settings.json"])
    assert files[".env"] in blocks(text, "sh")
    assert command_line(text, "gemini") == agent_command("gemini-cli", user)
    assert f"Tested with {AGENTS['gemini-cli'].package.version}" in text


@pytest.mark.parametrize("app", ["opencode", "kilo"])
def test_opencode_and_kilo_section(user: Path, app: str) -> None:
    text = section("OpenCode and Kilo")
    lines = [shlex.split(line, comments=True) for line in blocks(text, "sh")[0].splitlines()]
    line = next(words for words in lines if words[2:3] == [app])
    result = CliRunner().invoke(cli, [*line[1:], "--print"])
    assert result.exit_code == 0, result.output
    written = orjson.loads(result.output.split("\n", 1)[1].split("\nThen:")[0])
    assert written["model"] == written["small_model"] == "dragoman/" + line[line.index("--model") + 1]
    assert written["provider"]["dragoman"]["options"]["baseURL"] == "http://127.0.0.1:4800/v1"
    assert '"limit"' in result.output and '`autoupdate: false` and `share: "disabled"`' in text
    agent = OPENCODE_FAMILY[app]
    assert f"`npm install -g {agent.package.spec}`" in text
    shown = " ".join(shlex.split(blocks(text, "sh")[1], comments=True))
    for name, value in exports(result.output).items():
        assert f"{name}={value}" in shown.split(), (name, value)

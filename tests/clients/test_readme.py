"""The README's client sections say exactly what these tests do: the same variables, the
same config files, the same command lines (with the README's placeholders)."""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path

import orjson

from tests.clients.agents import AGENTS, GEMINI_SETTINGS, Setup, codex_config
from tests.clients.install import ROOT

README = (ROOT / "README.md").read_text()
ROOT_URL = "http://127.0.0.1:4800"


def section(title: str) -> str:
    start = README.index(f"### {title}\n")
    end = README.find("\n### ", start + 1)
    return README[start:end]


def blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", text, re.DOTALL)


def exports(text: str) -> dict[str, str]:
    """NAME=VALUE pairs of the `export` lines of the section's shell blocks."""
    found: dict[str, str] = {}
    for block in blocks(text, "sh"):
        for line in block.splitlines():
            words = shlex.split(line, comments=True)
            if words[:1] == ["export"]:
                found.update(word.split("=", 1) for word in words[1:])  # type: ignore[misc]
    return found


def command_line(text: str, program: str) -> list[str]:
    for block in blocks(text, "sh"):
        for line in block.splitlines():
            words = shlex.split(line, comments=True)
            if words[:1] == [program]:
                return words
    raise AssertionError(f"no `{program} ...` line in the README section")


def configured(name: str, home: Path, model: str) -> tuple[list[str], dict[str, str]]:
    """The command and environment the tests give agent `name`, with the README's values."""
    agent = AGENTS[name]
    setup = Setup(Path("/bin") / agent.package.command, home, home, ROOT_URL, "local-secret", model)
    argv, env = agent.configure(setup, "Reply with OK")
    return [Path(argv[0]).name, *argv[1:]], env


def test_claude_code_section(tmp_path: Path) -> None:
    text = section("Claude Code")
    readme_env = exports(text)
    argv, env = configured("claude-code", tmp_path, readme_env["ANTHROPIC_MODEL"])
    assert env == readme_env
    assert "ANTHROPIC_AUTH_TOKEN=local-secret" in text and "Bearer" in text
    assert command_line(text, "claude") == argv
    assert f"{AGENTS['claude-code'].package.spec} --engine-strict=false" in text


def test_codex_section(tmp_path: Path) -> None:
    text = section("Codex CLI")
    [toml] = blocks(text, "toml")
    readme_config = tomllib.loads(toml)
    assert readme_config == tomllib.loads(codex_config(ROOT_URL + "/v1", readme_config["model"]))
    argv, env = configured("codex", tmp_path, readme_config["model"])
    written = (tmp_path / ".codex" / "config.toml").read_text()
    assert written == codex_config(ROOT_URL + "/v1", readme_config["model"])
    assert env == exports(text)
    assert command_line(text, "codex") == argv
    assert f"Tested with {AGENTS['codex'].package.version}" in text


def test_gemini_cli_section(tmp_path: Path) -> None:
    text = section("Gemini CLI")
    [settings] = blocks(text, "json")
    assert orjson.loads(settings) == GEMINI_SETTINGS
    readme_argv = command_line(text, "gemini")
    argv, env = configured("gemini-cli", tmp_path, readme_argv[readme_argv.index("-m") + 1])
    assert orjson.loads((tmp_path / ".gemini" / "settings.json").read_bytes()) == GEMINI_SETTINGS
    assert env == exports(text)
    assert readme_argv == argv
    assert f"Tested with {AGENTS['gemini-cli'].package.version}" in text

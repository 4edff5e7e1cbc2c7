"""A user's machine for `dragoman setup`: a HOME of its own (no client config-folder
variables of the machine's), and a dragoman config with two keys and one provider."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner, Result

from dragoman.cli import cli

FOLDER_VARIABLES = ("CLAUDE_CONFIG_DIR", "CODEX_HOME", "GEMINI_CLI_HOME", "XDG_CONFIG_HOME")
CONFIG = """\
api_keys = ["first-key", "second-key"]
[providers.openai]
kind = "openai"
api_key = "sk-test"
[providers.local]
kind = "openai_compatible"
dialect = "openai_chat"
base_url = "http://127.0.0.1:9/v1"
models = ["local-model"]
"""
MODEL = "gpt-5.5"
UNKNOWN_LIMITS = "local-model"  # a model whose limits the model data does not know


@pytest.fixture
def user(dragoman_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user's HOME."""
    home = tmp_path / "user"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for name in FOLDER_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    dragoman_home.mkdir(parents=True)
    (dragoman_home / "config.toml").write_text(CONFIG)
    return home


def setup(*args: str, exit_code: int = 0) -> Result:
    result = CliRunner().invoke(cli, ["setup", *args])
    assert result.exit_code == exit_code, result.output
    return result


def limits(model: str) -> tuple[int, int]:
    """(context window, output limit) of `model` as `dragoman models --json` gives them."""
    result = CliRunner().invoke(cli, ["models", "--json"])
    row = next(row for row in orjson.loads(result.stdout)["models"] if row["id"] == model)
    return row["context_window"], row["max_output_tokens"]

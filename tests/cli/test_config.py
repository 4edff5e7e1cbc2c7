from __future__ import annotations

from pathlib import Path

import orjson
from click.testing import CliRunner

from dragoman import __version__
from dragoman.cli import cli


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), terminal_width=120)
    return result.exit_code, result.output


def test_version() -> None:
    assert run("version") == (0, f"dragoman {__version__}\n")
    _code, output = run("version", "--json")
    assert orjson.loads(output) == {"version": __version__}


def test_config_path_follows_home(dragoman_home: Path) -> None:
    assert run("config", "path") == (0, f"{dragoman_home / 'config.toml'}\n")
    assert run("config", "path", "--home", "/srv/x") == (0, "/srv/x/config.toml\n")


def test_config_show_masks_every_secret(dragoman_home: Path) -> None:
    dragoman_home.mkdir(parents=True)
    (dragoman_home / "config.toml").write_text(
        'api_keys = ["local-secret-0001"]\n'
        '[providers.oai]\nkind = "openai"\napi_key = "sk-proj-abcdef123456"\n'
    )
    code, output = run("config", "show", "--json")
    assert code == 0
    shown = orjson.loads(output)
    assert "local-secret-0001" not in output and "sk-proj-abcdef123456" not in output
    assert shown["api_keys"] == ["loca***0001"]
    assert shown["providers"]["oai"]["api_key"] == "sk-p***3456"
    assert shown["bind"] == ["127.0.0.1:4800"]
    code, text = run("config", "show")
    assert code == 0 and "sk-proj-abcdef123456" not in text and "providers" in text


def test_a_config_error_is_a_message_not_a_traceback(dragoman_home: Path) -> None:
    dragoman_home.mkdir(parents=True)
    (dragoman_home / "config.toml").write_text("colour = 1\n")
    code, output = run("config", "show")
    assert code == 2
    assert "colour: unknown key" in output
    assert "Traceback" not in output


def test_every_command_has_help() -> None:
    for command in (["serve"], ["config", "show"], ["config", "path"], ["models"], ["version"]):
        code, output = run(*command, "--help")
        assert code == 0 and "Usage:" in output and "--help" in output


def test_models_lists_configured_models_and_aliases(dragoman_home: Path) -> None:
    dragoman_home.mkdir(parents=True)
    (dragoman_home / "config.toml").write_text(
        '[providers.local]\nkind = "openai_compatible"\nbase_url = "http://127.0.0.1:1/v1"\n'
        'models = ["qwen3"]\n[models]\naliases = { "gpt-5" = "qwen3" }\n'
    )
    code, output = run("models", "--json")
    rows = orjson.loads(output)
    assert code == 0
    assert [(row["id"], row["provider"], row["alias_of"]) for row in rows] == [
        ("qwen3", "local", None),
        ("gpt-5", "local", "qwen3"),
    ]
    code, table = run("models")
    assert "qwen3" in table and "local" in table
    assert run("models", "--provider", "other", "--json")[1].strip() == "[]"


def test_models_with_nothing_configured_says_what_to_do() -> None:
    code, output = run("models")
    assert code == 0 and "No models yet" in output

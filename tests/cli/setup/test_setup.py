"""`dragoman setup CLIENT` for every client: it writes, keeps what the user had, changes
nothing when run again or with --print, and --undo puts every file back as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from dragoman.cli.setup import CLIENTS
from tests.cli.setup.conftest import MODEL, setup

# Something of the user's own in each file setup writes, which must survive it.
USER_FILES = {
    "claude-code": {".claude/settings.json": '{"theme": "dark", "env": {"FOO": "bar"}}'},
    "codex": {
        ".codex/config.toml": 'model_reasoning_effort = "high"\n[projects."/src"]\ntrust_level = "trusted"\n'
    },
    "gemini-cli": {".gemini/settings.json": '{"ui": {"theme": "Dracula"}}', ".gemini/.env": "DEBUG=1\n"},
    "opencode": {".config/opencode/opencode.json": '{"provider": {"ollama": {}}, "theme": "tokyonight"}'},
    "kilo": {".config/kilo/kilo.json": '{"theme": "kilo"}'},
}
KEPT = {
    "claude-code": ['"theme": "dark"', '"FOO": "bar"'],
    "codex": ['model_reasoning_effort = "high"', '[projects."/src"]'],
    "gemini-cli": ['"theme": "Dracula"', "DEBUG=1"],
    "opencode": ['"ollama"', '"theme": "tokyonight"'],
    "kilo": ['"theme": "kilo"'],
}


def snapshot(home: Path) -> dict[str, bytes]:
    files = sorted(path for path in home.rglob("*") if path.is_file())
    return {str(path.relative_to(home)): path.read_bytes() for path in files}


def seed(home: Path, client: str) -> None:
    for name, text in USER_FILES[client].items():
        (home / name).parent.mkdir(parents=True, exist_ok=True)
        (home / name).write_text(text)


@pytest.mark.parametrize("client", CLIENTS)
def test_setup_twice_then_undo_leaves_the_files_as_they_were(user: Path, client: str) -> None:
    seed(user, client)
    before = snapshot(user)
    first = setup(client, "--model", MODEL)
    assert "wrote" in first.output and "unchanged" not in first.output
    written = snapshot(user)
    text = "".join(written[name].decode() for name in USER_FILES[client])
    assert all(kept in text for kept in KEPT[client]), text
    assert "first-key" in text and MODEL in text
    again = setup(client, "--model", MODEL)
    assert "wrote" not in again.output and snapshot(user) == written
    setup(client, "--undo")
    assert snapshot(user) == before


@pytest.mark.parametrize("client", CLIENTS)
def test_print_shows_the_files_without_the_key_and_changes_nothing(user: Path, client: str) -> None:
    seed(user, client)
    before = snapshot(user)
    shown = setup(client, "--model", MODEL, "--print").output
    assert snapshot(user) == before
    assert "(would change)" in shown and "<key>" in shown and "first-key" not in shown
    setup(client, "--model", MODEL)
    assert "(unchanged)" in setup(client, "--model", MODEL, "--print").output


@pytest.mark.parametrize("client", CLIENTS)
def test_files_with_the_key_are_the_users_alone(user: Path, client: str) -> None:
    setup(client, "--model", MODEL)
    for path in CLIENTS[client].paths({"HOME": str(user)}):
        assert path.stat().st_mode & 0o777 == 0o600, path


def test_undo_with_nothing_to_undo_says_so(user: Path) -> None:
    assert "nothing to undo" in setup("codex", "--undo").output


@pytest.mark.parametrize(
    ("client", "variable", "relative"),
    [
        ("claude-code", "CLAUDE_CONFIG_DIR", "settings.json"),
        ("codex", "CODEX_HOME", "config.toml"),
        ("gemini-cli", "GEMINI_CLI_HOME", ".gemini/settings.json"),
        ("opencode", "XDG_CONFIG_HOME", "opencode/opencode.json"),
        ("kilo", "XDG_CONFIG_HOME", "kilo/kilo.json"),
    ],
)
def test_each_clients_own_folder_variable_is_honoured(
    user: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, client: str, variable: str, relative: str
) -> None:
    monkeypatch.setenv(variable, str(tmp_path / "elsewhere"))
    setup(client, "--model", MODEL)
    assert (tmp_path / "elsewhere" / relative).exists()
    assert snapshot(user) == {}


def test_a_file_that_does_not_parse_is_left_alone(user: Path) -> None:
    path = user / ".claude" / "settings.json"
    path.parent.mkdir()
    path.write_text("{not json")
    result = setup("claude-code", exit_code=1)
    assert f"{path} is not valid JSON" in result.output
    assert path.read_text() == "{not json"

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from dragoman.config import ConfigError, Settings, load


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_defaults_with_no_file_at_all(dragoman_home: Path) -> None:
    settings = load()
    assert [str(bind) for bind in settings.bind] == ["127.0.0.1:4800"]
    assert settings.home == dragoman_home
    assert settings.api_keys == []
    assert settings.max_body_bytes == 32 * 1024 * 1024
    assert settings.effective_database_url.endswith(f"{dragoman_home}/dragoman.db")


def test_a_good_file_is_read_from_the_home_folder(dragoman_home: Path) -> None:
    write(
        dragoman_home / "config.toml",
        """
bind = ["127.0.0.1:5000", "[::1]:5001"]
api_keys = ["local-secret"]
[providers.oai]
kind = "openai"
api_key = "sk-test-123456789012"
models = ["gpt-5.5"]
[models]
aliases = { "claude-sonnet-4-5" = "gpt-5.5" }
fallback = "gpt-5.5"
""",
    )
    settings = load()
    assert [str(bind) for bind in settings.bind] == ["127.0.0.1:5000", "[::1]:5001"]
    assert settings.key_values() == ["local-secret"]
    assert settings.providers["oai"].kind == "openai"
    assert settings.models.aliases == {"claude-sonnet-4-5": "gpt-5.5"}
    assert settings.models.fallback == "gpt-5.5"


def test_an_unknown_key_is_named_with_the_file(dragoman_home: Path) -> None:
    path = write(dragoman_home / "config.toml", '[providers.oai]\nkind = "openai"\nmodelz = []\n')
    with pytest.raises(ConfigError) as caught:
        load()
    message = str(caught.value)
    assert str(path) in message
    assert "providers.oai.modelz: unknown key" in message


def test_a_wrong_type_is_named_with_the_file(dragoman_home: Path) -> None:
    path = write(dragoman_home / "config.toml", 'max_body_bytes = "big"\n')
    with pytest.raises(ConfigError) as caught:
        load()
    assert str(path) in str(caught.value)
    assert "max_body_bytes:" in str(caught.value)
    assert "Traceback" not in str(caught.value)


def test_bad_toml_is_a_config_error(dragoman_home: Path) -> None:
    write(dragoman_home / "config.toml", "bind = [\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load()


def test_an_explicit_config_path_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such configuration file"):
        load(config=tmp_path / "missing.toml")


def test_environment_overrides_the_file(dragoman_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(
        dragoman_home / "config.toml",
        'bind = ["127.0.0.1:5000"]\nlog_level = "info"\n[providers.oai]\nkind = "openai"\napi_key = "a"\n',
    )
    monkeypatch.setenv("DRAGOMAN_BIND", "127.0.0.1:6000,[::1]:6001")
    monkeypatch.setenv("DRAGOMAN_LOG_LEVEL", "debug")
    monkeypatch.setenv("DRAGOMAN_API_KEY", "one,two")
    monkeypatch.setenv("DRAGOMAN_MAX_BODY_BYTES", "1024")
    monkeypatch.setenv("DRAGOMAN_PROVIDERS__OAI__BASE_URL", "http://127.0.0.1:9/v1")
    settings = load()
    assert [str(bind) for bind in settings.bind] == ["127.0.0.1:6000", "[::1]:6001"]
    assert settings.log_level == "debug"
    assert settings.key_values() == ["one", "two"]
    assert settings.max_body_bytes == 1024
    assert settings.providers["oai"].base_url == "http://127.0.0.1:9/v1"
    assert settings.providers["oai"].api_key is not None


def test_flags_override_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DRAGOMAN_LOG_FORMAT", "text")
    assert load(overrides={"log_format": "json", "bind": None}).log_format == "json"


def test_an_invalid_environment_value_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DRAGOMAN_LOG_FORMAT", "xml")
    with pytest.raises(ConfigError, match=r"^DRAGOMAN_LOG_FORMAT: "):
        load()


def test_home_flag_wins_over_environment(tmp_path: Path) -> None:
    assert load(home=tmp_path / "elsewhere").home == tmp_path / "elsewhere"


@pytest.mark.parametrize("keys", ['[""]', '["  "]', '["local-secret", ""]'])
def test_a_blank_key_in_the_file_is_an_error_naming_the_file(dragoman_home: Path, keys: str) -> None:
    path = write(dragoman_home / "config.toml", f"api_keys = {keys}\n")
    with pytest.raises(ConfigError) as caught:
        load()
    message = str(caught.value)
    assert f"{path}: api_keys" in message
    assert "empty" in message


@pytest.mark.parametrize("variable", ["DRAGOMAN_API_KEY", "DRAGOMAN_API_KEYS"])
@pytest.mark.parametrize("value", ["", "   ", "one,,two", "one, "])
def test_a_blank_key_in_the_environment_names_the_variable(
    dragoman_home: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    write(dragoman_home / "config.toml", 'api_keys = ["from-the-file"]\n')
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as caught:
        load()
    message = str(caught.value)
    assert message.startswith(f"{variable}: ") and "empty" in message
    assert "config.toml" not in message


def test_a_blank_key_on_the_command_line_names_the_flag() -> None:
    with pytest.raises(ConfigError) as caught:
        load(overrides={"api_keys": ["good-key-1", " "]}, flags={"api_keys": "--api-key"})
    message = str(caught.value)
    assert message.startswith("--api-key: ") and "empty" in message


@pytest.mark.parametrize(
    ("source", "expected"),
    [("flag", "--bind: 'foo' is not HOST:PORT"), ("env", "DRAGOMAN_BIND: 'foo' is not HOST:PORT")],
)
def test_a_bad_value_names_the_flag_or_variable_it_came_from(
    dragoman_home: Path, monkeypatch: pytest.MonkeyPatch, source: str, expected: str
) -> None:
    write(dragoman_home / "config.toml", 'bind = ["127.0.0.1:5000"]\n')
    overrides = {"bind": "foo"} if source == "flag" else {}
    if source == "env":
        monkeypatch.setenv("DRAGOMAN_BIND", "foo")
    with pytest.raises(ConfigError) as caught:
        load(overrides=overrides, flags={"bind": "--bind"})
    assert str(caught.value).startswith(expected)
    assert "config.toml" not in str(caught.value)


def test_the_file_is_named_for_its_own_values(dragoman_home: Path) -> None:
    path = write(dragoman_home / "config.toml", 'bind = ["foo"]\n')
    with pytest.raises(ConfigError) as caught:
        load()
    assert str(caught.value).startswith(f"{path}: bind: 'foo' is not HOST:PORT")


def test_a_nested_variable_names_itself_and_an_unknown_one_is_unknown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DRAGOMAN_PROVIDERS__OAI__KIND", "openai")
    monkeypatch.setenv("DRAGOMAN_PROVIDERS__OAI__READ_TIMEOUT", "-1")
    monkeypatch.setenv("DRAGOMAN_COLOUR", "blue")
    with pytest.raises(ConfigError) as caught:
        load()
    lines = str(caught.value).splitlines()
    assert lines[0] == "invalid configuration:"
    assert "  DRAGOMAN_PROVIDERS__OAI__READ_TIMEOUT: Input should be greater than 0" in lines
    assert "  DRAGOMAN_COLOUR: unknown key" in lines


def test_settings_made_in_code_refuse_a_blank_key_too() -> None:
    with pytest.raises(ValidationError, match="empty or blank key"):
        Settings(api_keys=["\t"])  # type: ignore[list-item]


def test_an_override_made_in_code_is_named_by_its_key() -> None:
    with pytest.raises(ConfigError) as caught:
        load(overrides={"bind": "foo"})
    assert str(caught.value).startswith("bind: 'foo' is not HOST:PORT")

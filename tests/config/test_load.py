from __future__ import annotations

from pathlib import Path

import pytest

from dragoman.config import ConfigError, load


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
    with pytest.raises(ConfigError, match="log_format"):
        load()


def test_home_flag_wins_over_environment(tmp_path: Path) -> None:
    assert load(home=tmp_path / "elsewhere").home == tmp_path / "elsewhere"

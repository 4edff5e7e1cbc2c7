"""`dragoman models` with accounts, a found Ollama, and `--live` lists."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from dragoman.cli import cli
from tests.fakes.fixtures import FakeUpstreams
from tests.providers.ollama.fake import FakeOllama


def models(*args: str, env: dict[str, str] | None = None) -> list[tuple[str, str]]:
    result = CliRunner().invoke(cli, ["models", "--json", *args], env=env)
    assert result.exit_code == 0, result.output
    return [(row["id"], row["provider"]) for row in orjson.loads(result.stdout)["models"]]


def test_live_asks_each_upstream_for_its_list(
    dragoman_home: Path, fakes: FakeUpstreams, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fakes.openai_chat, "models", ["served-a", "served-b"])
    dragoman_home.mkdir(parents=True)
    (dragoman_home / "config.toml").write_text(
        'detect_ollama = false\n[providers.vllm]\nkind = "openai_compatible"\n'
        f'base_url = "{fakes.openai_chat.base_url}"\napi_key = "{fakes.openai_chat.key}"\n'
    )
    assert models() == []
    assert models("--live") == [("served-a", "vllm"), ("served-b", "vllm")]


def test_a_found_ollama_is_listed(dragoman_home: Path) -> None:
    with FakeOllama(["llama3.2:latest"]) as ollama:
        dragoman_home.mkdir(parents=True)
        (dragoman_home / "config.toml").write_text(f'ollama_url = "{ollama.url}"\n')
        assert models(env={"DRAGOMAN_DETECT_OLLAMA": "true"}) == [("llama3.2:latest", "ollama")]


ROOT = Path(__file__).resolve().parents[2]


def readme_tour_config() -> str:
    """The config.toml of the README's 30-second tour, as written there."""
    readme = (ROOT / "README.md").read_text()
    return readme.split("<<'TOML'\n", 1)[1].split("\nTOML\n", 1)[0]


def test_the_readme_tour_without_openai_key_serves_the_rest(dragoman_home: Path) -> None:
    dragoman_home.mkdir(parents=True)
    (dragoman_home / "config.toml").write_text(readme_tour_config())
    result = CliRunner().invoke(cli, ["models"], env={"OPENAI_API_KEY": ""}, terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "qwen3:8b" in result.stdout
    assert "not served: providers.openai: no API key (set OPENAI_API_KEY, or add api_key" in result.stderr
    listed = CliRunner().invoke(cli, ["models", "--json"], env={"OPENAI_API_KEY": ""})
    assert listed.exit_code == 0
    shown = orjson.loads(listed.stdout)
    assert [(row["id"], row["provider"]) for row in shown["models"]] == [("qwen3:8b", "local")]
    [skipped] = shown["skipped"]
    assert skipped["provider"] == "openai" and "OPENAI_API_KEY" in skipped["reason"]


def test_with_the_key_nothing_is_skipped(dragoman_home: Path) -> None:
    dragoman_home.mkdir(parents=True)
    (dragoman_home / "config.toml").write_text(readme_tour_config())
    listed = CliRunner().invoke(cli, ["models", "--json"], env={"OPENAI_API_KEY": "sk-test-0123456789"})
    shown = orjson.loads(listed.stdout)
    assert shown["skipped"] == []
    assert {row["provider"] for row in shown["models"]} == {"openai", "local"}


@pytest.mark.parametrize(
    ("typo", "says"), [("modelz = []", "providers.openai.modelz: unknown key"), ("http2 = 3", "http2")]
)
def test_a_typo_still_stops_models(dragoman_home: Path, typo: str, says: str) -> None:
    dragoman_home.mkdir(parents=True)
    config = readme_tour_config().replace('kind = "openai" ', f'{typo}\nkind = "openai" ', 1)
    (dragoman_home / "config.toml").write_text(config)
    result = CliRunner().invoke(cli, ["models"], env={"OPENAI_API_KEY": ""})
    assert result.exit_code == 2 and says in result.output


def test_nothing_configured_names_the_table_to_add() -> None:
    result = CliRunner().invoke(cli, ["models"])
    assert result.exit_code == 0
    assert "Add a [providers.NAME] table" in result.output


def test_an_unknown_provider_is_an_error(dragoman_home: Path) -> None:
    dragoman_home.mkdir(parents=True)
    (dragoman_home / "config.toml").write_text(
        '[providers.local]\nkind = "openai_compatible"\nbase_url = "http://h/v1"\nmodels = ["m"]\n'
    )
    for args in (["models", "--provider", "nosuch"], ["models", "--provider", "nosuch", "--json"]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 1
        assert "no provider 'nosuch' (configured and stored: local)" in result.output


def test_a_provider_left_out_for_its_key_says_so(dragoman_home: Path) -> None:
    dragoman_home.mkdir(parents=True)
    (dragoman_home / "config.toml").write_text(readme_tour_config())
    result = CliRunner().invoke(cli, ["models", "--provider", "openai"], env={"OPENAI_API_KEY": ""})
    assert result.exit_code == 1
    assert "provider 'openai' is not served: providers.openai: no API key" in result.output


MARKUP_CONFIG = """
[providers."lab[x]"]
kind = "openai_compatible"
base_url = "http://h/v1"
models = ["[x]", "[bold]m[/]"]
[models]
aliases = { "[dim]alias" = "[x]" }
"""


def test_names_that_look_like_markup_are_printed_as_they_are(dragoman_home: Path) -> None:
    dragoman_home.mkdir(parents=True)
    (dragoman_home / "config.toml").write_text(MARKUP_CONFIG)
    result = CliRunner().invoke(cli, ["models"], env={"COLUMNS": "120"})
    assert result.exit_code == 0
    for text in ("lab[x]", "[x]", "[bold]m[/]", "[dim]alias"):
        assert text in result.output


@pytest.mark.parametrize("length", [30, 60, 100])
def test_model_ids_are_never_cut_in_80_columns(dragoman_home: Path, length: int) -> None:
    model = ("accounts/fireworks/models/" + "llama-v3p1-405b-instruct-" * 4)[:length]
    dragoman_home.mkdir(parents=True)
    (dragoman_home / "config.toml").write_text(
        '[providers.fireworks-account]\nkind = "openai_compatible"\nbase_url = "http://h/v1"\n'
        f'models = ["{model}", "gpt-5.5"]\n[models]\naliases = {{ "short" = "{model}" }}\n'
    )
    result = CliRunner().invoke(cli, ["models"], env={"COLUMNS": "80"})
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert any(model in line for line in lines) and "…" not in result.output
    assert "fireworks-account" in result.output and "gpt-5.5" in result.output
    if length < 80:
        assert max(len(line) for line in lines) <= 80

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

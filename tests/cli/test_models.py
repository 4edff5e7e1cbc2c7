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
    return [(row["id"], row["provider"]) for row in orjson.loads(result.stdout)]


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

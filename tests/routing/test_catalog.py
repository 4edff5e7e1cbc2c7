"""Upstreams from the config, the accounts table and a found Ollama, in priority order."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from dragoman.config import load
from dragoman.ir.models import ModelInfo
from dragoman.providers.upstream import build_upstreams
from dragoman.routing.catalog import Catalog
from dragoman.routing.sources import detect_ollama
from dragoman.store.accounts import Account
from tests.providers.ollama.fake import FakeOllama


def catalog(providers: dict[str, dict[str, Any]] | None = None, **settings: Any) -> Catalog:
    loaded = load(overrides={"providers": providers or {}, **settings})
    return Catalog(loaded, build_upstreams(loaded, environ={}), environ={"ENV_KEY": "sk-from-env-0001"})


def local(*models: str) -> dict[str, Any]:
    return {"kind": "openai_compatible", "base_url": "http://127.0.0.1:9/v1", "models": list(models)}


def account(label: str, *models: str, **fields: Any) -> Account:
    fields.setdefault("base_url", "http://127.0.0.1:8/v1")
    return Account("openai_compatible", label=label, models=models, **fields)


def test_config_first_then_accounts_in_creation_order() -> None:
    built = catalog({"cfg": local("shared")})
    built.set_accounts([account("first", "shared", "a1"), account("second", "shared", "a2")])
    assert [up.name for up in built.sources()] == ["cfg", "first", "second"]
    routes = built.registry().resolve("shared")
    assert [route.upstream.name for route in routes] == ["cfg", "first", "second"]
    assert built.registry().resolve("second/shared")[0].upstream.name == "second"


def test_an_account_reads_its_key_from_the_environment_at_build() -> None:
    built = catalog()
    built.set_accounts([Account("anthropic", label="work", api_key_env="ENV_KEY")])
    [upstream] = built.sources()
    assert upstream.request_headers()["x-api-key"] == "sk-from-env-0001"


def test_a_name_taken_by_the_config_keeps_the_config_one(caplog: pytest.LogCaptureFixture) -> None:
    built = catalog({"dup": local("cfg-model")})
    built.set_accounts([account("dup", "acct-model")])
    for _ in range(2):
        assert built.registry().model_ids() == ["cfg-model"]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "two upstreams are named 'dup'" in warnings[0].getMessage()


def test_an_account_that_cannot_be_built_is_left_out_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    built = catalog()
    built.set_accounts(
        [
            Account("anthropic", label="nokey", api_key_env="MISSING_VAR"),
            Account("openai", label="sub", auth="oauth", access_token="at-000000000"),
            Account("codex", label="login", auth="oauth", access_token="at-111111111", id=7),
            account("fine", "m"),
        ]
    )
    assert [up.name for up in built.sources()] == ["login", "fine"]
    assert built.sources()[0].account_id == 7 and built.sources()[0].api_key is None
    messages = " | ".join(record.getMessage() for record in caplog.records)
    assert "account nokey.api_key_env: the variable MISSING_VAR is not set" in messages
    assert "account sub: openai has no subscription login" in messages
    assert "at-000000000" not in messages


def test_removing_an_account_forgets_its_live_list() -> None:
    built = catalog()
    built.set_accounts([account("gone")])
    built.live.models["gone"] = (ModelInfo("x"),)
    built.set_accounts([])
    assert built.live.models == {}


async def test_a_found_ollama_comes_last_and_yields_to_an_ollama_account() -> None:
    with FakeOllama(["llama3.2:latest"]) as ollama:
        built = catalog({"cfg": local("m")}, ollama_url=ollama.url, detect_ollama=True)
        built.set_ollama(await detect_ollama(built.settings, environ={}))
    built.set_accounts([account("acct", "a")])
    assert [up.name for up in built.sources()] == ["cfg", "acct", "ollama"]
    assert "llama3.2:latest" in built.registry().model_ids()
    built.set_accounts([Account("ollama", label="my-ollama", models=("qwen3",))])
    assert [up.name for up in built.sources()] == ["cfg", "my-ollama"]


def aggregator_then_anthropic() -> Catalog:
    """Config order: an OpenAI-style aggregator first, then Anthropic; the aggregator's
    live list repeats an Anthropic model (as OpenRouter-like services do)."""
    providers = {
        "openai": {"kind": "openai", "api_key": "sk-0000", "base_url": "http://127.0.0.1:9/v1"},
        "anthropic": {"kind": "anthropic", "api_key": "sk-ant-0000", "base_url": "http://127.0.0.1:8/v1"},
    }
    return catalog(providers)


def test_a_live_list_never_takes_a_model_from_the_provider_that_served_it_at_start() -> None:
    built = aggregator_then_anthropic()
    assert built.registry().resolve("claude-sonnet-4-5")[0].upstream.name == "anthropic"
    built.live.models["openai"] = (ModelInfo("gpt-5.5"), ModelInfo("claude-sonnet-4-5"))
    routes = built.registry().resolve("claude-sonnet-4-5")
    assert [route.upstream.name for route in routes] == ["anthropic", "openai"], "added as a fallback only"
    [entry] = [entry for entry in built.registry().entries() if entry.id == "claude-sonnet-4-5"]
    assert entry.upstream.name == "anthropic", "the listing names what is served"


def test_a_model_only_live_lists_know_goes_to_the_first_configured_lister() -> None:
    built = aggregator_then_anthropic()
    built.live.models["anthropic"] = (ModelInfo("claude-new-1"),)
    built.live.models["openai"] = (ModelInfo("claude-new-1"),)
    routes = built.registry().resolve("claude-new-1")
    assert [route.upstream.name for route in routes] == ["openai", "anthropic"]
    [entry] = [entry for entry in built.registry().entries() if entry.id == "claude-new-1"]
    assert entry.upstream.name == "openai"

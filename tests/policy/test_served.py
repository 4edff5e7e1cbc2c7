"""The models the routing config names, checked against what the gateway serves: a typo
is refused naming its place, a model out of reach now is a warning."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from dragoman.config import ConfigError, Settings
from dragoman.config.load import load
from dragoman.policy.served import check_served, unserved
from dragoman.providers.upstream import build_upstreams
from dragoman.routing.catalog import Catalog

# Two upstreams with fixed lists (no live list), as a user's providers with `models = [...]`.
BASE = "http://127.0.0.1:9/v1"
PROVIDERS = {
    "cheap": {"kind": "openai_compatible", "base_url": BASE, "models": ["claude-haiku-4-5"]},
    "big": {"kind": "openai_compatible", "base_url": BASE, "models": ["gpt-5", "gpt-4.1"]},
}


def _settings(**config: Any) -> Settings:
    config.setdefault("providers", PROVIDERS)
    return load(overrides=config)


def _catalog(settings: Settings) -> Catalog:
    return Catalog(settings, build_upstreams(settings, environ={}), environ={})


def _problems(**config: Any) -> tuple[list[str], list[str]]:
    settings = _settings(**config)
    catalog = _catalog(settings)
    return unserved(settings, catalog.registry(), catalog.unlisted())


def _rule(name: str, model: str, **changes: str) -> dict[str, Any]:
    return {"name": name, "match": {"tools": True}, "set": {"model": model, **changes}}


def test_served_names_pass() -> None:
    rules = [
        _rule("a", "gpt-5"),
        _rule("b", "fast"),
        _rule("c", "auto/cheap"),
        _rule("d", "gpt-4.1", provider="big"),
    ]
    models = {
        "aliases": {"fast": "claude-haiku-4-5"},
        "fallbacks": {"gpt-5": ["gpt-4.1"]},
        "context_fallback": "gpt-5",
    }
    auto = {
        "tiers": {"simple": "fast", "reasoning": "gpt-5"},
        "profiles": {"cheap": {"tiers": {"simple": "gpt-4.1"}}},
    }
    assert _problems(routing={"rules": rules}, models=models, auto=auto) == ([], [])


def test_a_rules_model_typo_names_the_rule_and_the_field() -> None:
    errors, warnings = _problems(
        routing={"rules": [_rule("first", "gpt-5"), _rule("cheap-bg", "claude-haikuu")]}
    )
    assert errors == [
        'routing.rules[2] "cheap-bg": set.model "claude-haikuu" is served by no provider '
        "(did you mean claude-haiku-4-5?)"
    ]
    assert warnings == []


def test_a_rules_provider_and_model_are_checked_together() -> None:
    errors, _ = _problems(routing={"rules": [_rule("r", "gpt-5", provider="nobody")]})
    assert errors == ['routing.rules[1] "r": set.provider/model "nobody/gpt-5" is served by no provider']


def test_a_rules_provider_serves_any_model_asked_of_it_by_name() -> None:
    # `provider/model` reaches that provider whatever its list says (`Registry._explicit`).
    assert _problems(routing={"rules": [_rule("r", "gpt-5-preview", provider="big")]}) == ([], [])


def test_a_rules_provider_alone_is_checked_by_its_name() -> None:
    rules = [
        {"name": "pinned", "match": {"key": "key2"}, "set": {"provider": "big"}},
        {"name": "typo", "match": {"key": "key3"}, "set": {"provider": "bgi"}},
    ]
    errors, warnings = _problems(routing={"rules": rules})
    assert errors == [
        'routing.rules[2] "typo": set.provider "bgi" names no [providers.NAME] table or account '
        "(did you mean big?)"
    ]
    assert warnings == []


def test_a_rules_provider_left_out_for_its_key_is_a_warning() -> None:
    providers = {**PROVIDERS, "anthropic": {"kind": "anthropic"}}  # ANTHROPIC_API_KEY unset: left out
    rules = [
        _rule("with-model", "claude-sonnet-4-5", provider="anthropic"),
        {"name": "alone", "match": {"key": "key2"}, "set": {"provider": "anthropic"}},
    ]
    errors, warnings = _problems(providers=providers, routing={"rules": rules})
    assert errors == []
    no_key = "no API key (set ANTHROPIC_API_KEY, or add api_key or api_key_env)"
    assert warnings == [
        'routing.rules[1] "with-model": set.provider/model "anthropic/claude-sonnet-4-5" is served by no '
        f"provider now: anthropic is not served: {no_key}",
        f'routing.rules[2] "alone": set.provider "anthropic" is not served now: {no_key}',
    ]


def test_a_rule_to_an_auto_profile_that_does_not_exist() -> None:
    errors, _ = _problems(
        routing={"rules": [_rule("r", "auto/chaep")]},
        auto={"profiles": {"cheap": {"tiers": {"simple": "gpt-5"}}}},
    )
    assert errors == [
        'routing.rules[1] "r": set.model "auto/chaep" names no profile of [auto.profiles] '
        "(did you mean auto/cheap?)"
    ]


def test_tier_typos_name_the_map_and_the_tier() -> None:
    errors, _ = _problems(
        auto={"tiers": {"medium": "gpt-4.11"}, "profiles": {"fast": {"tiers": {"complex": "gtp-5"}}}}
    )
    assert errors == [
        'auto.tiers: medium "gpt-4.11" is served by no provider (did you mean gpt-4.1?)',
        'auto.profiles.fast.tiers: complex "gtp-5" is served by no provider (did you mean gpt-5?)',
    ]


def test_chains_and_the_context_fallback_name_their_place() -> None:
    errors, _ = _problems(
        models={
            "fallbacks": {"gpt-5": ["gpt-4.1", "claude-haiku-45"], "gpt-55": ["gpt-5"]},
            "context_fallback": "gpt5",
        }
    )
    assert errors == [
        'models.fallbacks: "gpt-5"[2] "claude-haiku-45" is served by no provider '
        "(did you mean claude-haiku-4-5?)",
        'models.fallbacks: chain of "gpt-55" is served by no provider (did you mean gpt-5?)',
        'models: context_fallback "gpt5" is served by no provider (did you mean gpt-5?)',
    ]


def test_a_provider_without_its_key_makes_its_models_a_warning() -> None:
    providers = {**PROVIDERS, "anthropic": {"kind": "anthropic"}}  # ANTHROPIC_API_KEY unset: left out
    errors, warnings = _problems(providers=providers, auto={"tiers": {"complex": "claude-sonnet-4-5"}})
    assert errors == []
    assert warnings == [
        'auto.tiers: complex "claude-sonnet-4-5" is served by no provider now: anthropic is not served: '
        "no API key (set ANTHROPIC_API_KEY, or add api_key or api_key_env)"
    ]


def test_a_known_model_no_account_serves_is_a_warning() -> None:
    errors, warnings = _problems(models={"context_fallback": "gemini-2.5-pro"})
    assert errors == []
    assert warnings == [
        'models: context_fallback "gemini-2.5-pro" is served by no provider now: '
        "no configured provider or account serves it"
    ]


def test_a_live_list_still_to_be_read_makes_an_unknown_name_a_warning_until_read() -> None:
    providers = {**PROVIDERS, "local": {"kind": "openai_compatible", "base_url": "http://127.0.0.1:9/v1"}}
    settings = _settings(providers=providers, auto={"tiers": {"simple": "qwen3:8b"}})
    catalog = _catalog(settings)
    errors, warnings = unserved(settings, catalog.registry(), catalog.unlisted())
    assert errors == []
    assert warnings == [
        'auto.tiers: simple "qwen3:8b" is served by no provider now '
        "(unless the live model list of local has it)"
    ]
    catalog.live.models["local"] = ()  # read, and it lacks the model
    errors, _ = unserved(settings, catalog.registry(), catalog.unlisted())
    assert errors == ['auto.tiers: simple "qwen3:8b" is served by no provider']


def test_check_served_raises_every_error_at_once_and_logs_warnings(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, "dragoman.config")
    settings = _settings(auto={"tiers": {"simple": "gpt-55", "medium": "gpt-6-luna", "complex": "gpt-44"}})
    catalog = _catalog(settings)
    with pytest.raises(ConfigError) as refused:
        check_served(settings, catalog.registry(), catalog.unlisted())
    assert str(refused.value).splitlines() == [
        'auto.tiers: simple "gpt-55" is served by no provider (did you mean gpt-5?)',
        'auto.tiers: complex "gpt-44" is served by no provider (did you mean gpt-4.1?)',
    ]
    assert 'auto.tiers: medium "gpt-6-luna" is served by no provider now' in caplog.text

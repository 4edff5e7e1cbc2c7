from __future__ import annotations

import pytest

from dragoman.config import load
from dragoman.ir.errors import ModelNotFound
from dragoman.providers.upstream import build_upstreams
from dragoman.routing.registry import Registry


def registry(providers: dict[str, dict[str, object]], **models: object) -> Registry:
    settings = load(overrides={"providers": providers, "models": models})
    return Registry(build_upstreams(settings, environ={}), settings.models)


TWO = {
    "first": {"kind": "openai_compatible", "base_url": "http://127.0.0.1:1/v1", "models": ["m1", "shared"]},
    "second": {
        "kind": "openai_compatible",
        "dialect": "anthropic",
        "base_url": "http://127.0.0.1:2/v1",
        "models": ["m2", "shared"],
    },
}


def test_a_model_resolves_to_the_provider_serving_it() -> None:
    [route] = registry(TWO).resolve("m2")
    assert (route.upstream.name, route.model) == ("second", "m2")


def test_a_shared_id_goes_to_the_first_configured_with_the_others_as_fallbacks() -> None:
    routes = registry(TWO).resolve("shared")
    assert [route.upstream.name for route in routes] == ["first", "second"]


def test_a_provider_prefix_selects_explicitly() -> None:
    [route] = registry(TWO).resolve("second/shared")
    assert route.upstream.name == "second"


def test_aliases_are_rewritten_and_listed() -> None:
    reg = registry(TWO, aliases={"claude-sonnet-4-5": "m2"})
    [route] = reg.resolve("claude-sonnet-4-5")
    assert (route.upstream.name, route.model) == ("second", "m2")
    alias = next(entry for entry in reg.entries() if entry.id == "claude-sonnet-4-5")
    assert alias.alias_of == "m2"


def test_unknown_model_lists_what_is_served() -> None:
    with pytest.raises(ModelNotFound) as caught:
        registry(TWO).resolve("nope")
    assert "'nope'" in caught.value.message
    assert "m1" in caught.value.message and "m2" in caught.value.message
    assert caught.value.status == 404


def test_fallback_catches_unknown_ids() -> None:
    [route] = registry(TWO, fallback="m1").resolve("whatever")
    assert route.model == "m1"


def test_no_provider_says_what_to_do() -> None:
    with pytest.raises(ModelNotFound, match="no provider is configured"):
        registry({}).resolve("gpt-5")

from __future__ import annotations

import httpx
import pytest

from dragoman.config import load
from dragoman.ir.errors import ModelNotFound
from dragoman.providers.upstream import build_upstreams
from dragoman.routing.registry import Registry
from tests.fakes import Reply
from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import MODEL_OF, serve_gateway


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


def test_an_alias_wins_over_a_real_id_of_the_same_name() -> None:
    """An alias is the user's explicit instruction: `m2` asked for bare goes where the
    alias says, even though `second` serves a real `m2`; the listing shows it once."""
    reg = registry(TWO, aliases={"m2": "m1"})
    [route] = reg.resolve("m2")
    assert (route.upstream.name, route.model) == ("first", "m1")
    rows = [entry for entry in reg.entries() if entry.id == "m2"]
    assert [(row.upstream.name, row.alias_of) for row in rows] == [("first", "m1")]
    assert reg.model_ids().count("m2") == 1


def test_a_provider_prefix_reaches_the_real_model_an_alias_hides() -> None:
    reg = registry(TWO, aliases={"m2": "m1", "short": "m2"})
    [route] = reg.resolve("second/m2")
    assert (route.upstream.name, route.model) == ("second", "m2"), "second serves m2 itself"
    [route] = reg.resolve("first/m2")
    assert (route.upstream.name, route.model) == ("first", "m1"), "first has no m2: the alias applies"
    [route] = reg.resolve("second/short")
    assert (route.upstream.name, route.model) == ("second", "m2")


def test_over_http_an_alias_named_like_a_real_model_serves_the_alias(fakes: FakeUpstreams) -> None:
    real, target = MODEL_OF["anthropic"], MODEL_OF["openai_chat"]
    fakes.openai_chat.script(Reply(text="the alias target"))
    fakes.anthropic.script(Reply(text="the real model"))
    chat = {"messages": [{"role": "user", "content": "hi"}]}
    with serve_gateway(fakes, models={"aliases": {real: target}}) as url:
        listed = [m for m in httpx.get(url + "/v1/models").json()["data"] if m["id"] == real]
        aliased = httpx.post(url + "/v1/chat/completions", json={"model": real, **chat})
        prefixed = httpx.post(url + "/v1/chat/completions", json={"model": f"up_anthropic/{real}", **chat})
    assert aliased.json()["choices"][0]["message"]["content"] == "the alias target", aliased.text
    assert fakes.openai_chat.requests[-1].json["model"] == target
    assert [m["owned_by"] for m in listed] == ["up_openai_chat"], "listed once, as what serves it"
    assert prefixed.json()["choices"][0]["message"]["content"] == "the real model", prefixed.text
    assert fakes.anthropic.last_json["model"] == real


def test_an_alias_to_a_model_not_served_hides_nothing() -> None:
    reg = registry(TWO, aliases={"m2": "gone"})
    [route] = reg.resolve("m2")
    assert (route.upstream.name, route.model) == ("second", "m2")
    assert [(e.upstream.name, e.alias_of) for e in reg.entries() if e.id == "m2"] == [("second", None)]

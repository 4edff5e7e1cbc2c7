from __future__ import annotations

import pytest

from dragoman.config import ConfigError, load
from dragoman.providers.upstream import MissingKey, Skipped, build_upstreams, skipped_providers


def build(provider: dict[str, object], environ: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    settings = load(overrides={"providers": {"p": provider}})
    return build_upstreams(settings, environ=environ or {})[0]


def test_openai_key_from_its_standard_variable_sent_as_bearer() -> None:
    upstream = build({"kind": "openai"}, {"OPENAI_API_KEY": "sk-from-env-0001"})
    assert upstream.request_headers()["authorization"] == "Bearer sk-from-env-0001"
    assert upstream.base_url == "https://api.openai.com/v1"
    assert upstream.dialect == "openai_responses"


def test_anthropic_sends_x_api_key_and_version() -> None:
    headers = build({"kind": "anthropic", "api_key": "sk-ant-1"}).request_headers()
    assert headers["x-api-key"] == "sk-ant-1"
    assert headers["anthropic-version"] == "2023-06-01"
    assert "authorization" not in headers


def test_compatible_kind_authenticates_like_its_dialect() -> None:
    upstream = build(
        {"kind": "openai_compatible", "dialect": "gemini", "base_url": "http://x/v1beta", "api_key": "k"}
    )
    assert upstream.request_headers() == {"x-goog-api-key": "k"}


def test_missing_key_names_the_table_and_the_variable() -> None:
    settings = load(overrides={"providers": {"p": {"kind": "openai"}}})
    assert build_upstreams(settings, environ={}) == []
    [skipped] = skipped_providers(settings, environ={})
    assert skipped.name == "p"
    assert skipped.reason.startswith("providers.p: no API key (set OPENAI_API_KEY")


def test_a_provider_without_its_key_is_left_out_and_the_others_kept() -> None:
    providers = {
        "first": {"kind": "anthropic", "api_key": "sk-ant-1"},
        "nokey": {"kind": "openai"},
        "unset": {"kind": "gemini", "api_key_env": "MY_GEMINI_KEY"},
        "last": {"kind": "openai_compatible", "base_url": "http://h/v1", "models": ["m"]},
    }
    settings = load(overrides={"providers": providers})
    assert [upstream.name for upstream in build_upstreams(settings, environ={})] == ["first", "last"]
    assert [skipped.name for skipped in skipped_providers(settings, environ={})] == ["nokey", "unset"]
    assert skipped_providers(settings, environ={"OPENAI_API_KEY": "k", "MY_GEMINI_KEY": "k"}) == []


@pytest.mark.parametrize("provider", [{"kind": "nope"}, {"kind": "openai", "dialect": "gemini"}])
def test_a_mistake_in_a_table_still_stops_everything(provider: dict[str, object]) -> None:
    settings = load(overrides={"providers": {"ok": {"kind": "anthropic", "api_key": "k"}, "p": provider}})
    with pytest.raises(ConfigError) as caught:
        build_upstreams(settings, environ={})
    assert not isinstance(caught.value, MissingKey)


def test_unknown_kind_lists_known_kinds() -> None:
    with pytest.raises(ConfigError, match=r"providers\.p\.kind: unknown kind 'nope' \(known: .*openai"):
        build({"kind": "nope"})


def test_a_dialect_the_kind_cannot_speak() -> None:
    with pytest.raises(ConfigError, match=r"providers\.p\.dialect"):
        build({"kind": "anthropic", "api_key": "k", "dialect": "gemini"})


def test_api_key_env_must_be_set() -> None:
    settings = load(overrides={"providers": {"p": {"kind": "openai", "api_key_env": "MY_KEY"}}})
    assert skipped_providers(settings, environ={"OPENAI_API_KEY": "k"}) == [
        Skipped("p", "providers.p.api_key_env: the variable MY_KEY is not set")
    ]


def test_configured_models_restrict_and_extend_the_builtin_list() -> None:
    upstream = build({"kind": "openai", "api_key": "k", "models": ["gpt-5.5", "my-finetune"]})
    assert [model.id for model in upstream.models] == ["gpt-5.5", "my-finetune"]
    assert upstream.models[0].context_window


def test_base_url_credentials_beside_a_bearer_key_are_refused_at_start() -> None:
    provider = {"kind": "openai_compatible", "dialect": "openai_chat", "api_key": "k-0001"}
    with pytest.raises(ConfigError, match=r"providers\.p\.base_url: its user:password@"):
        build({**provider, "base_url": "http://user:pw-9f3a2c@127.0.0.1:9/v1"})
    with pytest.raises(ConfigError, match="keep one of the two"):
        build(
            {
                **provider,
                "api_key": None,
                "headers": {"Authorization": "Bearer x"},
                "base_url": "http://user:pw@127.0.0.1:9/v1",
            }
        )


def test_base_url_credentials_alone_or_beside_a_header_key_are_kept_and_masked() -> None:
    from dragoman.observe.redact import redact

    alone = build(
        {"kind": "openai_compatible", "dialect": "openai_chat", "base_url": "http://u:pw-7c1e5d@h:9/v1"}
    )
    assert alone.base_url == "http://u:pw-7c1e5d@h:9/v1"
    keyed = build(
        {
            "kind": "openai_compatible",
            "dialect": "anthropic",
            "api_key": "k-0002",
            "base_url": "http://u:pw-7c1e5d@h:9/v1",
        }
    )
    assert keyed.request_headers()["x-api-key"] == "k-0002"
    assert redact("failed at http://u:pw-7c1e5d@h:9") == "failed at http://u:***@h:9"

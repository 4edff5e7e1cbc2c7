"""Which settings can hold a secret, and how each is hidden when shown."""

from __future__ import annotations

import types
import typing
from typing import Any

import pytest
from pydantic import BaseModel, SecretStr, WrapSerializer

from dragoman.config import ModelsConfig, OAuthConfig, ProviderConfig, Settings
from dragoman.config.masking import is_credential_name, masked_headers, masked_url
from dragoman.config.routing import (
    AutoConfig,
    AutoFloors,
    AutoProfile,
    RoutingConfig,
    Rule,
    RuleMatch,
    RuleSet,
    TierMap,
)
from dragoman.observe.prices import Price

# Text settings that hold no secret: names, kinds, model ids, paths, enumerations.
# A new text field must be added here or given a masked type in config/schema.py.
PLAIN_TEXT = {
    ("Settings", "redis_prefix"),
    ("ProviderConfig", "kind"),
    ("ProviderConfig", "dialect"),
    ("ProviderConfig", "api_key_env"),
    ("ProviderConfig", "auth"),
    ("ProviderConfig", "models"),
    ("ModelsConfig", "aliases"),
    ("ModelsConfig", "fallback"),
    ("ModelsConfig", "fallbacks"),
    ("ModelsConfig", "context_fallback"),
    ("Settings", "log_level"),
    ("Settings", "log_format"),
    ("Settings", "trace_bodies"),
    ("Settings", "time_zone"),
    ("Settings", "admin_limits"),
    ("Price", "source"),
    ("TierMap", "simple"),
    ("TierMap", "medium"),
    ("TierMap", "complex"),
    ("TierMap", "reasoning"),
    ("AutoFloors", "images"),
    ("AutoFloors", "tools"),
    ("RuleMatch", "client"),
    ("RuleMatch", "key"),
    ("RuleMatch", "model"),
    ("RuleMatch", "dialect"),
    ("RuleSet", "model"),
    ("RuleSet", "provider"),
    ("RuleSet", "reasoning_effort"),
    ("Rule", "name"),
    ("Rule", "deny"),
}
# Tables of other models, checked on their own.
NESTED = {
    ("Settings", "providers"),
    ("Settings", "models"),
    ("Settings", "oauth"),
    ("Settings", "prices"),
    ("Settings", "auto"),
    ("Settings", "routing"),
    ("AutoConfig", "tiers"),
    ("AutoConfig", "profiles"),
    ("AutoConfig", "floors"),
    ("AutoProfile", "tiers"),
    ("Rule", "match"),
    ("Rule", "set"),
    ("RoutingConfig", "rules"),
}


def _holds_text(annotation: Any) -> bool:
    if annotation in (str, SecretStr):
        return True
    if typing.get_origin(annotation) is typing.Literal:
        return True
    return any(_holds_text(arg) for arg in typing.get_args(annotation) if not isinstance(arg, WrapSerializer))


def _is_masked(annotation: Any, metadata: list[Any]) -> bool:
    marks = [*metadata, *_marks(annotation)]
    return any(
        isinstance(mark, WrapSerializer) and mark.func.__module__ == "dragoman.config.masking"
        for mark in marks
    )


def _marks(annotation: Any) -> list[Any]:
    found = list(getattr(annotation, "__metadata__", ()))
    for arg in typing.get_args(annotation):
        if not isinstance(arg, WrapSerializer | str | int | float | types.NoneType):
            found += _marks(arg)
    return found


@pytest.mark.parametrize(
    "model",
    [
        Settings, ProviderConfig, OAuthConfig, ModelsConfig, Price, AutoConfig, AutoFloors, AutoProfile,
        TierMap, RoutingConfig, Rule, RuleMatch, RuleSet,
    ],
)  # fmt: skip
def test_every_text_setting_is_masked_or_known_to_be_plain(model: type[BaseModel]) -> None:
    unclassified = [
        name
        for name, info in model.model_fields.items()
        if _holds_text(info.annotation) and (model.__name__, name) not in PLAIN_TEXT | NESTED
        if not _is_masked(info.annotation, info.metadata)
    ]
    assert unclassified == []


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://alice:pw-123@proxy.example:3128", "http://alice:***@proxy.example:3128"),
        ("postgresql+asyncpg://u:p%40ss@db/x", "postgresql+asyncpg://u:***@db/x"),
        ("socks5://user:a@b@host:1080", "socks5://user:***@host:1080"),
        ("https://ghp_tokentokentoken@git.example/x", "https://ghp_***oken@git.example/x"),
        ("https://h/v1?key=AIzaSECRET&alt=sse", "https://h/v1?key=***&alt=sse"),
        (
            "https://h/t?client_secret=s1&access_token=t2&sig=x",
            "https://h/t?client_secret=***&access_token=***&sig=***",
        ),
        ("http://127.0.0.1:11434", "http://127.0.0.1:11434"),
        (
            "sqlite+aiosqlite:////home/me/.dragoman/dragoman.db",
            "sqlite+aiosqlite:////home/me/.dragoman/dragoman.db",
        ),
    ],
)
def test_masked_url(url: str, shown: str) -> None:
    assert masked_url(url) == shown


@pytest.mark.parametrize(
    "name",
    [
        "Authorization",
        "x-api-key",
        "api-key",
        "Cookie",
        "x-goog-api-key",
        "Proxy-Authorization",
        "X-Custom-Token",
        "X-Client-Secret",
    ],
)
def test_credential_headers_are_masked(name: str) -> None:
    assert is_credential_name(name)
    assert masked_headers({name: "Bearer value-123456789"})[name] == "Bear***6789"


@pytest.mark.parametrize("name", ["OpenAI-Organization", "anthropic-version", "User-Agent", "anthropic-beta"])
def test_other_headers_are_shown(name: str) -> None:
    assert masked_headers({name: "visible-value"}) == {name: "visible-value"}


def test_an_ordinary_dump_keeps_the_values() -> None:
    config = ProviderConfig(kind="openai", proxy="http://a:pw-123@p:1", headers={"Authorization": "Bearer x"})
    assert config.model_dump()["proxy"] == "http://a:pw-123@p:1"
    assert config.model_dump(context={"masked": True})["proxy"] == "http://a:***@p:1"

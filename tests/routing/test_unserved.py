"""Accounts known but not served, as listings draw them: why, and the key as its owner
knows it, never the key."""

from __future__ import annotations

from dragoman.config import ProviderConfig
from dragoman.routing.unserved import account_key, unserved_account, unserved_provider
from dragoman.store.accounts import Account


def test_a_provider_without_its_key_says_which_variable_is_missing() -> None:
    config = ProviderConfig(kind="anthropic", api_key_env="TEAM_KEY", priority=2)
    reason = "providers.team.api_key_env: the variable TEAM_KEY is not set"
    shown = unserved_provider("team", config, reason, environ={})
    assert (shown.name, shown.kind, shown.auth, shown.key_shown) == ("team", "anthropic", "key", "$TEAM_KEY")
    assert shown.reason == "the variable TEAM_KEY is not set" and shown.policy.priority == 2
    assert shown.dialect == "anthropic" and shown.base_url == "https://api.anthropic.com/v1"
    default = unserved_provider("oai", ProviderConfig(kind="openai"), "providers.oai: no API key (x)", {})
    assert (default.key_shown, default.reason) == ("$OPENAI_API_KEY", "no API key (x)")


def test_a_stored_account_is_shown_by_its_masked_key_variable_or_login() -> None:
    literal = Account(provider="openai", label="a", api_key="sk-abcd-0000-wxyz")
    assert account_key(literal) == "sk-a***wxyz"
    assert account_key(Account(provider="openai", label="b", api_key_env="B_KEY")) == "$B_KEY"
    assert (
        account_key(Account(provider="claude", label="c", auth="oauth", email="c@example.com"))
        == "c@example.com"
    )
    assert account_key(Account(provider="claude", label="d", auth="oauth", plan="pro")) == "login (pro)"
    broken = unserved_account(Account(provider="gone", label="old"), "account old.kind: unknown kind 'gone'")
    assert (broken.reason, broken.auth, broken.dialect, broken.base_url) == (
        "unknown kind 'gone'",
        "none",
        None,
        None,
    )

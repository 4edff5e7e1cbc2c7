"""`[oauth.<kind>]`: every URL of a subscription kind can be moved by the configuration."""

from __future__ import annotations

import pytest

from dragoman.auth.endpoints import base_url_for, oauth_for, subscription_kinds
from dragoman.config import ConfigError, load
from dragoman.providers import discover
from dragoman.providers.upstream import build_upstreams
from dragoman.routing.sources import account_upstream
from dragoman.store.accounts import Account

URLS = {
    "authorize_url": "http://127.0.0.1:1/authorize",
    "token_url": "http://127.0.0.1:1/token",
    "device_url": "http://127.0.0.1:1/device",
    "device_token_url": "http://127.0.0.1:1/device/token",
    "revoke_url": "http://127.0.0.1:1/revoke",
    "verification_url": "http://127.0.0.1:1/verify",
}


def test_every_oauth_url_and_the_port_are_overridden() -> None:
    settings = load(overrides={"oauth": {"codex": {**URLS, "redirect_port": 0}}})
    oauth = oauth_for(discover()["codex"], settings)
    for name, url in URLS.items():
        assert getattr(oauth, name) == url, name
    assert oauth.redirect_port == 0 and oauth.client_id == "app_EMoamEEZ73f0CkXaXp7hrann"


def test_without_overrides_the_kinds_own_urls() -> None:
    oauth = oauth_for(discover()["grok"], load())
    assert oauth.token_url == "https://auth.x.ai/oauth2/token" and oauth.redirect_port == 56121


def test_the_base_url_override_moves_every_login_of_the_kind() -> None:
    settings = load(overrides={"oauth": {"grok": {"base_url": "http://127.0.0.1:2/v1/"}}})
    account = Account(provider="grok", label="grok-gina", auth="oauth", id=3)
    upstream = account_upstream(account, settings, {})
    assert (upstream.base_url, upstream.account_id, upstream.api_key) == ("http://127.0.0.1:2/v1", 3, None)
    assert base_url_for(discover()["grok"], settings) == "http://127.0.0.1:2/v1"
    assert account_upstream(account, load(), {}).base_url == "https://cli-chat-proxy.grok.com/v1"


def test_an_unknown_kind_or_key_is_a_configuration_error() -> None:
    with pytest.raises(ConfigError, match="'openai' has no subscription login"):
        load(overrides={"oauth": {"openai": {"token_url": "http://x"}}})
    with pytest.raises(ConfigError, match=r"oauth\.codex\.tokn_url: unknown key"):
        load(overrides={"oauth": {"codex": {"tokn_url": "http://x"}}})


def test_a_subscription_kind_cannot_be_a_key_provider() -> None:
    with pytest.raises(ConfigError, match="dragoman login --provider codex"):
        build_upstreams(load(overrides={"providers": {"mine": {"kind": "codex"}}}))


def test_codex_and_grok_are_subscription_kinds() -> None:
    assert {"codex", "grok"} <= set(subscription_kinds())

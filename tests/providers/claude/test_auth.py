"""The Claude login's default endpoints are the current ones (oauth.md §2.1): Anthropic
moved the token endpoint from console.anthropic.com to platform.claude.com, and the
code page with it; the flows themselves run against the fakes (tests/cli, end-to-end)."""

from __future__ import annotations

from dragoman.providers.claude.auth import OAUTH


def test_tokens_come_from_platform_claude_com() -> None:
    assert OAUTH.token_url == "https://platform.claude.com/v1/oauth/token"
    assert OAUTH.paste_redirect_uri == "https://platform.claude.com/oauth/code/callback"


def test_the_login_page_is_claude_ais() -> None:
    assert OAUTH.authorize_url == "https://claude.ai/oauth/authorize"
    assert OAUTH.token_format == "json" and OAUTH.state_in_exchange

"""The dashboard's card of a Claude passthrough account (`auth = "client"`) shows each
login its clients brought, by digest, with that login's 5h and weekly windows (a real
browser, a real dragoman, the fake Anthropic upstream sending the unified headers)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import anthropic
import pytest
from playwright.sync_api import Browser, expect

from tests.fakes import Reply
from tests.fakes.claude_oauth import ClaudeOAuthFake
from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import serve_gateway

LOCAL_KEY = "local-dashboard-key-c1a0de"
MODEL = "claude-sonnet-4-6"


@pytest.fixture
def url(fakes: FakeUpstreams) -> Iterator[str]:
    providers = {
        "claude_passthrough": {
            "kind": "anthropic",
            "auth": "client",
            "base_url": fakes.anthropic.base_url,
            "models": [MODEL],
        }
    }
    with serve_gateway(fakes, api_keys=[LOCAL_KEY], providers=providers, detect_ollama=False) as served:
        yield served


def test_each_login_shows_its_windows_on_the_passthrough_card(
    browser: Browser, url: str, fakes: FakeUpstreams, monkeypatch: pytest.MonkeyPatch
) -> None:
    login = "sk-ant-oat01-" + secrets.token_urlsafe(32)
    # Put back after: a module's gateway made before the next reset reads the fake's key.
    monkeypatch.setattr(fakes.anthropic, "key", login)
    windows = {"5h": ("allowed", 0.42, 1_900_000_000.0), "7d": ("allowed", 0.8, 1_900_500_000.0)}
    fakes.anthropic.script(Reply(text="OK", headers=ClaudeOAuthFake.window_headers(windows)))
    client = anthropic.Anthropic(
        auth_token=login, base_url=url, default_headers={"x-dragoman-key": LOCAL_KEY}, max_retries=0
    )
    with client:
        client.messages.create(model=MODEL, max_tokens=8, messages=[{"role": "user", "content": "Hi"}])
    context = browser.new_context(base_url=url)
    errors: list[str] = []
    context.on("weberror", lambda error: errors.append(str(error.error)))
    try:
        page = context.new_page()
        page.goto("/ui/live")
        page.fill("#key", LOCAL_KEY)
        page.click("form.login button[type=submit]")
        expect(page.locator("#nav")).to_be_visible()
        page.goto("/ui/accounts")
        shown = page.locator('article[data-label="claude_passthrough"] .client-login')
        expect(shown).to_have_count(1)
        expect(shown).to_contain_text("login sha256:")
        expect(shown.locator(".window").nth(0)).to_contain_text("5h: 42% used")
        expect(shown.locator(".window").nth(1)).to_contain_text("7d: 80% used")
        assert login not in page.content()
    finally:
        context.close()
    assert errors == []

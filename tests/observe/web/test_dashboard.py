"""The dashboard end to end in a real browser (chromium, Playwright): a real dragoman
in front of a fake upstream serving a pool of two accounts (each sends its name in
`x-account`), a local key, and bodies kept. Each test takes a fresh browser context
(its own cookies) from the one browser of the session."""

from __future__ import annotations

import os
import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.fakes import Failure, Reply
from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import serve_gateway
from tests.secret_scan.registry import register
from tests.server.test_pooling import pool, reached

LOCAL_KEY = "local-dashboard-key-7e2b41"
AUTH = {"authorization": f"Bearer {LOCAL_KEY}"}
ACCOUNTS = ["acct-0", "acct-1"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}


M_PRICE = {"m": {"input": 2.0, "output": 10.0}}


@pytest.fixture(scope="module")
def url(fake_upstreams_session: FakeUpstreams, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One gateway for the module, in a home of its own (set up before the per-test home is)."""
    providers = pool(fake_upstreams_session.openai_chat, ACCOUNTS, ["m"])
    with pytest.MonkeyPatch.context() as patch:
        for name in [name for name in os.environ if name.startswith("DRAGOMAN_")]:
            patch.delenv(name)
        patch.setenv("DRAGOMAN_HOME", str(tmp_path_factory.mktemp("dashboard-home")))
        patch.setenv("DRAGOMAN_DETECT_OLLAMA", "false")
        with serve_gateway(
            fake_upstreams_session,
            providers=providers,
            api_keys=[LOCAL_KEY],
            trace_bodies="all",
            prices=M_PRICE,
        ) as served:
            yield served


@pytest.fixture
def context(browser: Browser, url: str) -> Iterator[BrowserContext]:
    """A fresh context; any script error on any of its pages fails the test."""
    fresh = browser.new_context(base_url=url, viewport=DESKTOP)
    fresh.set_default_timeout(5000)
    errors: list[str] = []
    fresh.on("weberror", lambda error: errors.append(str(error.error)))
    yield fresh
    fresh.close()
    assert errors == []


@pytest.fixture
def page(context: BrowserContext) -> Page:
    """A page logged in with the local key."""
    opened = context.new_page()
    log_in(opened, LOCAL_KEY)
    expect(opened.locator("#nav")).to_be_visible()
    return opened


def log_in(page: Page, key: str) -> None:
    page.goto("/ui/live")
    page.fill("#key", key)
    page.click("form.login button[type=submit]")


def chat(url: str) -> httpx.Response:
    """A new conversation each time: none is bound to the account that served the last."""
    body = {"model": "m", "messages": [{"role": "user", "content": f"hi {uuid.uuid4()}"}]}
    answer = httpx.post(url + "/v1/chat/completions", json=body, headers=AUTH, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer


def test_a_wrong_key_is_refused_with_no_cookie_and_the_right_one_logs_in(context: BrowserContext) -> None:
    page = context.new_page()
    page.goto("/ui/accounts")
    expect(page.locator("form.login")).to_be_visible()
    expect(page.locator("#nav")).to_be_hidden()
    log_in(page, "not-the-key")
    expect(page.locator("form.login .error")).to_contain_text("wrong key")
    assert context.cookies() == []
    assert LOCAL_KEY not in page.url

    log_in(page, LOCAL_KEY)
    expect(page.locator("h1")).to_have_text("Live")
    (cookie,) = context.cookies()
    assert (cookie["name"], cookie["httpOnly"], cookie["sameSite"]) == ("dragoman_session", True, "Strict")
    assert LOCAL_KEY not in cookie["value"]
    page.click("#logout")
    expect(page.locator("form.login")).to_be_visible()
    assert context.cookies() == []


def test_a_request_shows_on_live_within_a_second_and_opens_its_request_page(
    page: Page, url: str, fakes: FakeUpstreams, artifacts: Path
) -> None:
    expect(page.locator(".feed-state")).to_have_text("● live")
    sent = time.monotonic()
    request_id = chat(url).headers["x-request-id"]
    row = page.locator(f'tr[data-id="{request_id}"]')
    expect(row).to_be_visible(timeout=1000)
    assert time.monotonic() - sent < 1.0
    expect(row).to_contain_text("m → openai_compatible/acct-")
    expect(row).to_contain_text("200")
    expect(row.locator("td").last).to_have_text("$0.0001")  # 10 in at $2/M, 5 out at $10/M

    page.fill("input[type=search]", "no-such-model")
    expect(row).to_be_hidden()
    page.fill("input[type=search]", "acct")
    expect(row).to_be_visible()

    row.locator("a").click()
    expect(page).to_have_url(f"{url}/ui/requests/{request_id}")
    expect(page.locator(".timeline li")).to_have_count(1)
    expect(page.locator(".timeline li")).to_contain_text("acct-")
    expect(page.locator("dl.facts")).to_contain_text("routing reason")
    bodies = page.locator(".side-by-side figure")
    expect(bodies).to_have_count(3)
    expect(bodies.nth(0)).to_contain_text('"model": "m"')
    expect(bodies.nth(1).locator("figcaption")).to_contain_text("Upstream request (acct-")


def test_disabling_an_account_sends_the_next_requests_to_the_other(
    page: Page, url: str, fakes: FakeUpstreams
) -> None:
    page.goto("/ui/accounts")
    card = page.locator('article[data-label="acct-0"]')
    expect(card.locator(".state")).to_have_text("ready")
    card.get_by_role("button", name="Disable").click()
    expect(card.locator(".state")).to_have_text("disabled")
    try:
        for _ in range(4):
            chat(url)
        assert reached(fakes.openai_chat) == ["acct-1"] * 4
    finally:
        card.get_by_role("button", name="Enable").click()
        expect(card.locator(".state")).to_have_text("ready")


def test_the_priority_is_set_and_a_test_request_answered_from_the_accounts_page(
    page: Page, fakes: FakeUpstreams
) -> None:
    page.goto("/ui/accounts")
    card = page.locator('article[data-label="acct-1"]')
    card.locator("input.priority").fill("3")
    card.get_by_role("button", name="Set priority").click()
    expect(card.locator("dl.facts")).to_contain_text("priority 3")
    card.get_by_role("button", name="Test").click()
    expect(page.locator(".notice[role=status]")).to_contain_text("test acct-1: ok, 200")
    assert reached(fakes.openai_chat) == ["acct-1"]
    card.locator("input.priority").fill("1")
    card.get_by_role("button", name="Set priority").click()
    expect(card.locator("dl.facts")).to_contain_text("priority 1")


def test_a_usage_window_and_a_cooldown_count_down_until_the_account_is_reset(
    page: Page, url: str, fakes: FakeUpstreams
) -> None:
    window = {
        "x-ratelimit-limit-tokens": "1000",
        "x-ratelimit-remaining-tokens": "250",
        "x-ratelimit-reset-tokens": "6m0s",
    }
    fakes.openai_chat.script(Reply(text="OK", headers=window), Reply(error=Failure(429, retry_after=120)))
    chat(url)
    chat(url)
    windowed, cooled, _ = reached(fakes.openai_chat)
    page.goto("/ui/accounts")
    bar = page.locator(f'article[data-label="{windowed}"] .window')
    expect(bar).to_contain_text("tokens: 75% used")
    expect(bar).to_contain_text("resets in 5m")
    assert bar.locator(".fill").evaluate("element => element.style.width") == "75%"
    card = page.locator(f'article[data-label="{cooled}"]')
    expect(card.locator(".state")).to_have_text("cooling")
    countdown = card.locator(".cooldown-ends .countdown")
    expect(countdown).to_have_text(re.compile(r"cooldown ends in \dm \d\ds"))
    shown = countdown.text_content()
    expect(countdown).not_to_have_text(shown or "", timeout=2500)  # it ticks
    card.get_by_role("button", name="Reset cooldown").click()
    expect(card.locator(".state")).to_have_text("ready")
    expect(card.locator(".cooldown-ends")).to_have_count(0)


def test_an_api_key_account_added_with_the_form_shows_up_and_a_bad_one_says_why(
    page: Page, fakes: FakeUpstreams
) -> None:
    page.goto("/ui/accounts")
    page.get_by_text("Add an API-key account").click()
    form = page.locator("form.add-account")
    form.locator("[name=provider]").fill("no-such-kind")
    form.locator("[name=api_key]").fill("sk-form-key-0001")
    form.get_by_role("button", name="Add account").click()
    expect(form.locator(".error")).to_contain_text("unknown kind")
    fake = fakes.openai_chat
    form.locator("[name=provider]").fill("openai_compatible")
    form.locator("[name=label]").fill("from-form")
    form.locator("[name=api_key]").fill(fake.key)
    form.locator("[name=base_url]").fill(fake.base_url)
    form.locator("[name=dialect]").select_option("openai_chat")
    form.locator("[name=models]").fill("form-model")
    form.get_by_role("button", name="Add account").click()
    expect(form.locator(".notice")).to_contain_text("Added from-form")
    card = page.locator('article[data-label="from-form"]')
    expect(card.locator(".state")).to_have_text("ready", timeout=10000)
    expect(card).to_contain_text("form-model")
    assert fake.key not in page.content()


def test_a_cookie_authenticated_change_needs_the_csrf_token(page: Page, url: str) -> None:
    change = """async (token) => {
        const headers = {"content-type": "application/json"};
        if (token) headers["x-csrf-token"] = token;
        const answer = await fetch("/v1/admin/accounts/acct-1", {method: "PATCH", headers,
                                   body: JSON.stringify({weight: 2})});
        return [answer.status, await answer.text()];
    }"""
    status, body = page.evaluate(change, None)
    assert status == 403 and "CSRF" in body
    token = page.evaluate("async () => (await (await fetch('/ui/session')).json()).csrf")
    status, body = page.evaluate(change, token)
    assert status == 200 and '"weight":2.0' in body
    status, _ = page.evaluate(change.replace("weight: 2", "weight: 1"), token)
    assert status == 200


def test_usage_and_models_draw_what_the_gateway_serves(page: Page, url: str) -> None:
    chat(url)
    page.goto("/ui/usage")
    by_account = page.locator('section[data-dimension="account"]')
    charts = by_account.locator("figure.chart")
    expect(charts).to_have_count(2)
    tokens_chart, cost_chart = charts.nth(0), charts.nth(1)
    expect(tokens_chart.locator("svg rect").first).to_be_attached()
    expect(cost_chart.locator("svg rect").first).to_be_attached()
    expect(cost_chart.locator(".axis")).to_contain_text("peak $0.0")
    expect(by_account.locator("table")).to_contain_text("acct-")
    expect(page.locator('section[data-dimension="model"] tbody th')).to_have_text(["m"])
    # The config's key is the admin key `key1`: its requests' usage is drawn under that name.
    expect(page.locator('section[data-dimension="key"] tbody th')).to_have_text(["key1"])
    page.goto("/ui/models")
    served = page.locator("table.models tbody tr").filter(has=page.get_by_text("m", exact=True))
    expect(served).to_have_count(1)
    expect(served).to_contain_text("acct-0 → acct-1")


@pytest.mark.parametrize(("width", "viewport"), [("1280", DESKTOP), ("375", PHONE)])
def test_every_page_fits_its_width_and_is_screenshot(
    page: Page, url: str, width: str, viewport: dict[str, int], artifacts: Path
) -> None:
    request_id = chat(url).headers["x-request-id"]
    page.set_viewport_size(viewport)
    views = {
        "live": "/ui/live",
        "request": f"/ui/requests/{request_id}",
        "accounts": "/ui/accounts",
        "usage": "/ui/usage",
        "models": "/ui/models",
        "keys": "/ui/keys",
    }
    for name, path in views.items():
        page.goto(path)
        expect(page.locator("main h1")).to_be_visible()
        expect(page.locator("main .notice.error")).to_have_count(0)
        page.screenshot(path=artifacts / f"{name}-{width}.png", full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= viewport["width"], f"{name} is {overflow} px wide at {width}"


def test_a_loopback_dragoman_without_a_key_opens_the_dashboard_directly(
    browser: Browser, fakes: FakeUpstreams, artifacts: Path
) -> None:
    # The price table is the process's (one gateway per process outside tests): this
    # gateway keeps the module gateway's, which the keys page's budget counts by.
    open_gateway = serve_gateway(fakes, providers=pool(fakes.openai_chat, ["solo"], ["m"]), prices=M_PRICE)
    with open_gateway as open_url:
        context = browser.new_context(base_url=open_url, viewport=DESKTOP)
        try:
            page = context.new_page()
            page.goto("/ui")
            expect(page.locator("main h1")).to_have_text("Live")
            expect(page.locator("#logout")).to_be_hidden()
            page.goto("/ui/accounts")
            expect(page.locator('article[data-label="solo"]')).to_be_visible()
            assert context.cookies() == []
        finally:
            context.close()


def test_a_key_made_on_the_keys_page_shows_its_secret_once_and_is_rotated_and_revoked(
    page: Page, url: str
) -> None:
    page.goto("/ui/keys")
    expect(page.locator("main h1")).to_have_text("Keys")
    page.click("details.panel summary")
    page.fill("form.add-key input[name=name]", "bad name")
    page.click("form.add-key button[type=submit]")
    expect(page.locator("form.add-key .error")).to_contain_text("'bad name' is not a key name")
    page.fill("form.add-key input[name=name]", "dash")
    page.fill("form.add-key input[name=models]", "m, other")
    page.fill("form.add-key input[name=budget]", "5usd/day")
    page.click("form.add-key button[type=submit]")
    secret = page.locator(".secret-value").inner_text()
    register(secret, "local key dash, made on the dashboard")
    row = page.locator('tr[data-name="dash"]')
    expect(row).to_contain_text("active")
    expect(row).to_contain_text("budget: $0.00 of $5.00 per day")
    expect(row).to_contain_text(secret[:8])
    assert secret not in row.inner_text()
    assert chat_with(url, secret) == 200

    row.get_by_role("button", name="Rotate").click()
    expect(page.locator(".secret")).to_contain_text("Key dash rotated")
    rotated = page.locator(".secret-value").inner_text()
    register(rotated, "local key dash, rotated on the dashboard")
    assert rotated != secret and chat_with(url, secret) == 401 and chat_with(url, rotated) == 200

    page.goto("/ui/keys")  # the secret is not shown again
    expect(page.locator(".secret")).to_be_hidden()
    page.locator('tr[data-name="dash"]').get_by_role("button", name="Revoke").click()
    expect(page.locator('tr[data-name="dash"]')).to_contain_text("revoked")
    assert chat_with(url, rotated) == 401


def chat_with(url: str, secret: str) -> int:
    body = {"model": "m", "messages": [{"role": "user", "content": f"hi {uuid.uuid4()}"}]}
    headers = {"authorization": f"Bearer {secret}"}
    return httpx.post(url + "/v1/chat/completions", json=body, headers=headers, timeout=10).status_code


def test_a_key_is_changed_on_the_keys_page_and_held_to_it_at_once(page: Page, url: str) -> None:
    made = httpx.post(url + "/v1/admin/keys", headers=AUTH, timeout=10,
                      json={"name": "edited", "models": ["m"], "rpm": "60", "expires": "30d"})  # fmt: skip
    assert made.status_code == 201, made.text
    register(made.json()["secret"], "local key edited, made for the dashboard")
    page.goto("/ui/keys")
    page.locator('tr[data-name="edited"]').get_by_role("button", name="Edit").click()
    form = page.locator('form.edit-key[data-name="edited"]')
    expect(form.locator("input[name=rpm]")).to_have_value("60")
    form.locator("input[name=budget]").fill("20eur/month")
    form.get_by_role("button", name="Save").click()
    expect(form.locator(".error")).to_contain_text("--budget '20eur/month': expected an amount in US dollars")
    form.locator("input[name=budget]").fill("")
    form.locator("input[name=rpm]").fill("")  # emptied: unset
    form.locator("input[name=requests]").fill("1/day")
    form.locator("input[name=max_output_tokens]").fill("64")
    form.get_by_role("button", name="Save").click()
    expect(page.locator(".notice[role=status]")).to_have_text("edited updated")
    row = page.locator('tr[data-name="edited"]')
    expect(row).to_contain_text("requests: 0 of 1 per day")
    expect(row).to_contain_text("output at most 64 tokens")
    shown = httpx.get(url + "/v1/admin/keys/edited", headers=AUTH, timeout=10).json()
    assert shown["options"] == {
        "models": ["m"],
        "requests": "1/day",
        "max_output_tokens": 64,
        "expires": "30d",
    }
    assert shown["expires_at"] == made.json()["expires_at"]  # the span not set again from now
    secret = made.json()["secret"]
    assert (chat_with(url, secret), chat_with(url, secret)) == (200, 403)

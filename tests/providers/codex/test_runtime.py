"""What the Codex runtime reads from a login and adds to each request."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from dragoman.auth.tokens import token_facts
from dragoman.providers.codex import SPEC
from dragoman.providers.codex.runtime import CodexRuntime, usage_url
from dragoman.store.accounts import Account
from tests.fakes.oauth import FakeOAuth, User, unsigned_jwt
from tests.subscriptions import Subscription, subscription

RUNTIME = CodexRuntime()


@pytest.fixture
def codex() -> Iterator[Subscription]:
    with subscription("codex") as sub:
        yield sub


def test_identity_comes_from_the_token_claims() -> None:
    oauth = FakeOAuth("app_EMoamEEZ73f0CkXaXp7hrann", lifetime=5000)
    before = int(time.time())
    answer = oauth.issue(
        User(email="carol@example.com", account_id="acct-carol", plan="pro", sub="user-carol")
    )
    after = int(time.time())
    # `now` far from the real clock: an expiry read from `expires_in` (now + 5000) instead
    # of the access token's `exp` claim (issue time + 5000) would be off by years.
    facts = token_facts(SPEC, answer, now=1_000_000_000.0)
    assert (facts["email"], facts["account_id"], facts["plan"]) == ("carol@example.com", "acct-carol", "pro")
    assert before + 5000 <= facts["expires_at"] <= after + 5000
    assert facts["refresh_token"] == answer["refresh_token"]


def test_the_account_id_is_never_the_subject() -> None:
    """Without a ChatGPT account id in the claims, no header is better than a wrong one."""
    token = unsigned_jwt({"sub": "user-1", "email": "x@example.com", "exp": 2_000_000_000})
    facts = token_facts(SPEC, {"access_token": token, "id_token": token})
    assert "account_id" not in facts and facts["expires_at"] == 2_000_000_000


def test_headers_name_the_account_and_the_conversation() -> None:
    account = Account(provider="codex", account_id="acct-1", access_token="at")
    assert RUNTIME.headers(account) == {"chatgpt-account-id": "acct-1"}
    assert RUNTIME.headers(Account(provider="codex")) == {}
    assert RUNTIME.call_headers(account, {"prompt_cache_key": "conv-9"}) == {"session_id": "conv-9"}


def test_rate_limit_headers_become_usage_windows() -> None:
    windows = RUNTIME.rate_limits(
        {
            "x-codex-primary-used-percent": "12.5",
            "x-codex-primary-window-minutes": "300",
            "x-codex-primary-reset-at": "2000000000",
            "x-codex-secondary-used-percent": "40",
            "x-codex-secondary-window-minutes": "10080",
        }
    )
    assert windows == [
        {"name": "5h", "used_percent": 12.5, "resets_at": 2000000000.0},
        {"name": "weekly", "used_percent": 40.0},
    ]
    assert RUNTIME.rate_limits({"content-type": "text/event-stream"}) is None


@pytest.mark.parametrize(
    ("base", "usage"),
    [
        ("https://chatgpt.com/backend-api/codex", "https://chatgpt.com/backend-api/wham/usage"),
        ("http://127.0.0.1:9/backend-api/codex", "http://127.0.0.1:9/backend-api/wham/usage"),
        ("https://proxy.example/codex", "https://proxy.example/codex/api/codex/usage"),
    ],
)
def test_usage_url(base: str, usage: str) -> None:
    assert usage_url(base) == usage


async def test_usage_endpoint_windows(codex: Subscription) -> None:
    answer = codex.oauth.issue(codex.oauth.user)
    account = Account(provider="codex", access_token=answer["access_token"], account_id="acct-alice")
    async with httpx.AsyncClient() as client:
        windows = await RUNTIME.usage(account, client, codex.backend.base_url)
        refused = await RUNTIME.usage(
            Account(provider="codex", access_token="bad"), client, codex.backend.base_url
        )
    assert windows is not None and [w["name"] for w in windows] == ["5h", "weekly"]
    assert windows[0]["used_percent"] == 12 and windows[0]["resets_at"] == pytest.approx(
        time.time() + 7200, abs=5
    )
    assert windows[1]["used_percent"] == 40 and windows[1]["resets_at"] == 2000000000
    assert refused is None

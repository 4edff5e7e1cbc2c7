"""The per-login usage windows of `auth = "client"` upstreams: a digest per token, the
windows of its latest answer, a bounded table."""

from __future__ import annotations

import hashlib

from dragoman.server.client_logins import ClientLogins, login_id
from dragoman.state import open_state
from tests.fakes.claude_oauth import ClaudeOAuthFake

WINDOWS = ClaudeOAuthFake.window_headers({"5h": ("allowed", 0.5, 1_900_000_000.0)})


def test_a_login_is_known_by_a_digest_of_its_token_only() -> None:
    token = "sk-ant-oat01-abcdef"
    assert login_id(f"Bearer {token}") == "sha256:" + hashlib.sha256(token.encode()).hexdigest()[:16]
    assert login_id(f"bearer  {token}") == login_id(f"Bearer {token}")
    assert login_id("Bearer sk-ant-oat01-other") != login_id(f"Bearer {token}")


def test_the_least_recently_seen_login_goes_first() -> None:
    logins = ClientLogins(open_state(None).client_logins, limit=2)
    for name in ("a", "b", "a", "c"):
        logins.observe("claude", f"Bearer sk-ant-oat01-{name}", WINDOWS)
    kept = [row["login"] for row in logins.rows()]
    assert kept == [login_id("Bearer sk-ant-oat01-c"), login_id("Bearer sk-ant-oat01-a")]


def test_rows_of_one_provider() -> None:
    logins = ClientLogins(open_state(None).client_logins)
    logins.observe("mine", "Bearer sk-ant-oat01-a", WINDOWS)
    logins.observe("theirs", "Bearer sk-ant-oat01-b", WINDOWS)
    assert [row["provider"] for row in logins.rows("mine")] == ["mine"]

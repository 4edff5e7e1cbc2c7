"""Token counts for a model served by a subscription login that counts, through each
client dialect's official SDK: a Gemini CLI login's Code Assist `:countTokens` (Gemini
CLI's envelope), a Claude login's `count_tokens` (shaped as Claude Code's, as the fake
Claude backend demands), each with the login's bearer token; the fakes answer theirs."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from dragoman.providers import discover
from dragoman.providers.gemini_cli import SPEC
from dragoman.providers.gemini_cli.runtime import CodeAssistRuntime
from tests.fakes.claude_oauth import OAUTH_BETA, ClaudeOAuthFake
from tests.fakes.code_assist import CodeAssistFake
from tests.fakes.fixtures import FakeUpstreams
from tests.fakes.oauth import FakeOAuth
from tests.gateway import serve_gateway
from tests.server.test_upstream_count import CLIENTS, PROMPT, _count
from tests.subscriptions import Subscription, store_login

MODEL = "gemini-2.5-flash"


@pytest.fixture
def gemini_cli() -> Iterator[Subscription]:
    oauth_spec = SPEC.oauth
    assert oauth_spec is not None
    with (
        FakeOAuth(oauth_spec.client_id, client_secret=oauth_spec.client_secret) as oauth,
        CodeAssistFake(oauth) as backend,
    ):
        backend.onboard_polls = 0
        yield Subscription("gemini_cli", oauth, backend)


@pytest.fixture(autouse=True)
def _quick_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    runtime = discover()["gemini_cli"].runtime
    assert isinstance(runtime, CodeAssistRuntime)
    monkeypatch.setattr(runtime, "poll_seconds", 0.01)
    monkeypatch.setattr(runtime, "environ", {})


@pytest.mark.parametrize("client", CLIENTS)
def test_code_assist_counts_on_the_login(
    client: str, gemini_cli: Subscription, fakes: FakeUpstreams, dragoman_home: Path
) -> None:
    login = store_login(dragoman_home, gemini_cli)
    backend = gemini_cli.backend
    assert isinstance(backend, CodeAssistFake)
    backend.count_tokens_result = 1000 + secrets.randbelow(9000)
    with serve_gateway(fakes, providers={}, oauth=gemini_cli.settings()) as root:
        assert _count(root, client, MODEL) == backend.count_tokens_result
    asked = backend.last
    assert asked.path.endswith(":countTokens")
    assert asked.header("authorization") == f"Bearer {login.access_token}"
    assert asked.json["request"]["model"] == f"models/{MODEL}"
    assert PROMPT in asked.body.decode()


@pytest.fixture
def claude() -> Iterator[Subscription]:
    oauth_spec = discover()["claude"].oauth
    assert oauth_spec is not None
    with FakeOAuth(oauth_spec.client_id, token_format="json") as oauth, ClaudeOAuthFake(oauth) as backend:
        yield Subscription("claude", oauth, backend)


@pytest.mark.parametrize("client", CLIENTS)
def test_a_claude_login_counts_with_anthropic(
    client: str, claude: Subscription, fakes: FakeUpstreams, dragoman_home: Path
) -> None:
    login = store_login(dragoman_home, claude)
    backend = claude.backend
    backend.count_tokens_result = 1000 + secrets.randbelow(9000)
    with serve_gateway(fakes, providers={}, oauth=claude.settings()) as root:
        assert _count(root, client, "claude-haiku-4-5") == backend.count_tokens_result
    asked = backend.last
    assert asked.path == "/v1/messages/count_tokens"
    assert asked.header("authorization") == f"Bearer {login.access_token}"
    assert OAUTH_BETA in (asked.header("anthropic-beta") or "")
    assert PROMPT in asked.body.decode()

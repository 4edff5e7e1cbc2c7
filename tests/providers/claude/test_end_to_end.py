"""Every client dialect, through a real dragoman, to a Claude Pro/Max login: the login is
stored as `dragoman login` stores it (tokens from the fake OAuth server), and the fake
backend refuses anything not shaped like Claude Code (tests/fakes/claude_oauth.py)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import anthropic
import httpx
import openai
import orjson
import pytest
from click.testing import CliRunner
from google import genai
from google.genai import types

from dragoman.cli import cli
from dragoman.providers import discover
from tests.conformance.clients import DRIVERS
from tests.conformance.scenario import ARGS, DIALECTS, RESULTS, SYSTEM, TOOLS
from tests.fakes import Call, Reply
from tests.fakes.claude_oauth import ClaudeOAuthFake, new_oauth_token
from tests.fakes.fixtures import FakeUpstreams
from tests.fakes.oauth import FakeOAuth
from tests.gateway import serve_gateway
from tests.subscriptions import Subscription, store_login, stored_logins

MODEL = "claude-haiku-4-5"
PREAMBLE = "You are Claude Code, Anthropic's official CLI for Claude."


@pytest.fixture
def claude() -> Iterator[Subscription]:
    oauth_spec = discover()["claude"].oauth
    assert oauth_spec is not None
    with FakeOAuth(oauth_spec.client_id, token_format="json") as oauth, ClaudeOAuthFake(oauth) as backend:
        yield Subscription("claude", oauth, backend)


@contextmanager
def sdk(dialect: str, root: str) -> Iterator[Any]:
    """The dialect's official SDK pointed at dragoman, retries off."""
    if dialect == "anthropic":
        with anthropic.Anthropic(api_key="local", base_url=root, max_retries=0) as client:
            yield client
    elif dialect == "gemini":
        options = types.HttpOptions(
            base_url=root, api_version="v1beta", retry_options=types.HttpRetryOptions(attempts=1)
        )
        yield genai.Client(api_key="local", http_options=options)
    else:
        with openai.OpenAI(api_key="local", base_url=root + "/v1", max_retries=0) as client:
            yield client


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
@pytest.mark.parametrize("dialect", DIALECTS)
def test_a_tool_round_trip_from_each_client_dialect(
    dialect: str, stream: bool, claude: Subscription, fakes: FakeUpstreams, dragoman_home: Path
) -> None:
    login = store_login(dragoman_home, claude)
    backend = claude.backend
    calls = [
        Call("GetWeather", ARGS["get_weather"], id="toolu_01W"),
        Call("GetTime", ARGS["get_time"], id="toolu_01T"),
    ]
    backend.script(Reply(tool_calls=calls), Reply(text="Paris: 18C and sunny, 14:05."))
    with serve_gateway(fakes, providers={}, oauth=claude.settings()) as root, sdk(dialect, root) as client:
        talk = DRIVERS[dialect](client, MODEL, stream)
        talk.system(SYSTEM)
        talk.tools(TOOLS)
        talk.user("Weather and time in Paris?")
        first = talk.send()
        talk.answer_calls(RESULTS)
        second = talk.send()

    # The client sees its own tool names; the backend saw Claude Code's.
    assert [(call.name, call.args) for call in first.calls] == [(t.name, ARGS[t.name]) for t in TOOLS]
    assert second.text == "Paris: 18C and sunny, 14:05."
    sent = backend.last
    assert sent.header("authorization") == f"Bearer {login.access_token}"
    assert "oauth-2025-04-20" in sent.header("anthropic-beta", "")
    assert [tool["name"] for tool in sent.json["tools"]] == ["GetWeather", "GetTime"]
    assert sent.json["system"][0]["text"] == PREAMBLE
    assert SYSTEM in [block["text"] for block in sent.json["system"][1:]]
    assert len(backend.requests) == 2


def test_the_usage_windows_of_the_answers_are_kept_for_status(
    claude: Subscription, fakes: FakeUpstreams, dragoman_home: Path
) -> None:
    store_login(dragoman_home, claude)
    backend = claude.backend
    assert isinstance(backend, ClaudeOAuthFake)
    backend.windows = {"5h": ("allowed", 0.42, 1_900_000_000), "7d": ("allowed", 0.1, 1_900_500_000)}
    body = {"model": MODEL, "messages": [{"role": "user", "content": "hi"}]}
    with serve_gateway(fakes, providers={}, oauth=claude.settings()) as root:
        response = httpx.post(root + "/v1/chat/completions", json=body)
        assert response.status_code == 200, response.text
        status = httpx.get(root + "/v1/status")
    assert status.status_code == 200, status.text
    [account] = status.json()["accounts"]
    assert account["usage"][:2] == [
        {"name": "5h", "status": "allowed", "used_percent": 42.0, "resets_at": 1_900_000_000},
        {"name": "7d", "status": "allowed", "used_percent": 10.0, "resets_at": 1_900_500_000},
    ]


def test_a_spent_window_is_a_429_with_the_reset(
    claude: Subscription, fakes: FakeUpstreams, dragoman_home: Path
) -> None:
    store_login(dragoman_home, claude)
    backend = claude.backend
    assert isinstance(backend, ClaudeOAuthFake)
    backend.script(Reply(error=backend.spent("5h", reset_at=time.time() + 1800)))
    body = {"model": MODEL, "max_tokens": 50, "messages": [{"role": "user", "content": "hi"}]}
    with serve_gateway(fakes, providers={}, oauth=claude.settings()) as root:
        response = httpx.post(root + "/v1/messages", json=body)
    assert response.status_code == 429
    assert response.json()["error"]["type"] == "rate_limit_error"
    assert 1700 <= float(response.headers["retry-after"]) <= 1800


def test_a_login_imported_from_claude_code_is_served(
    claude: Subscription, fakes: FakeUpstreams, dragoman_home: Path, tmp_path: Path
) -> None:
    backend = claude.backend
    assert isinstance(backend, ClaudeOAuthFake)
    token = new_oauth_token()
    backend.allow(token, expires_at=time.time() + 3600)
    oauth = {
        "accessToken": token,
        "refreshToken": "sk-ant-ort01-" + token[-12:],
        "expiresAt": int((time.time() + 3600) * 1000),
        "scopes": ["user:inference", "user:profile"],
        "subscriptionType": "pro",
    }
    official = tmp_path / ".claude" / ".credentials.json"
    official.parent.mkdir()
    official.write_bytes(orjson.dumps({"claudeAiOauth": oauth}))
    result = CliRunner().invoke(cli, ["import", "claude", "--from", str(official)])
    assert result.exit_code == 0, result.output
    [account] = stored_logins(dragoman_home)
    assert (account.provider, account.plan) == ("claude", "pro")
    body = {"model": f"{account.label}/{MODEL}", "messages": [{"role": "user", "content": "hi"}]}
    with serve_gateway(fakes, providers={}, oauth=claude.settings()) as root:
        response = httpx.post(root + "/v1/chat/completions", json=body)
    assert response.status_code == 200, response.text
    assert backend.last.header("authorization") == f"Bearer {token}"


def test_an_expired_token_is_refreshed_with_claudes_json_token_requests(
    claude: Subscription, fakes: FakeUpstreams, dragoman_home: Path
) -> None:
    """The backend answers 401 "OAuth token has expired"; dragoman refreshes once
    (JSON body, Claude's client id) and sends the request again."""
    store_login(dragoman_home, claude)
    claude.oauth.expire_access_tokens()
    body = {"model": MODEL, "messages": [{"role": "user", "content": "hi"}]}
    with serve_gateway(fakes, providers={}, oauth=claude.settings()) as root:
        response = httpx.post(root + "/v1/chat/completions", json=body)
    assert response.status_code == 200, response.text
    assert claude.oauth.refreshes == 1
    [refresh] = [form for form in claude.oauth.token_requests if form.get("grant_type") == "refresh_token"]
    assert refresh["client_id"] == discover()["claude"].oauth.client_id  # type: ignore[union-attr]
    tokens = [request.header("authorization") for request in claude.backend.requests]
    assert len(tokens) == 2 and tokens[0] != tokens[1]

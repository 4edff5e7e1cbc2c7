"""What dragoman sends a Claude Pro/Max account, checked by the fake backend that refuses
what Anthropic refuses (tests/fakes/claude_oauth.py): the request is built by
`upstream_call.prepare` with a stored login, as the relay builds it, and sent as is."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from dragoman.config import ProviderConfig
from dragoman.dialects.anthropic import request as anthropic_request
from dragoman.ir.messages import Message, Text, ToolCall, ToolResult
from dragoman.ir.request import Request
from dragoman.ir.tools import Tool
from dragoman.providers.upstream import build_upstream
from dragoman.routing.registry import Route
from dragoman.server.upstream_call import UpstreamCall, prepare
from dragoman.store.accounts import Account
from tests.captures import load_all
from tests.fakes.claude_oauth import EXPIRED, NO_OAUTH, NOT_CLAUDE_CODE, ClaudeOAuthFake, new_oauth_token

BETAS = "claude-code-20250219,interleaved-thinking-2025-05-14,context-1m-2025-08-07"


@pytest.fixture(scope="module")
def backend() -> Iterator[ClaudeOAuthFake]:
    with ClaudeOAuthFake() as fake:
        yield fake  # type: ignore[misc]


@pytest.fixture(autouse=True)
def _fresh(backend: ClaudeOAuthFake) -> None:
    backend.reset()


def route(backend: ClaudeOAuthFake) -> Route:
    config = ProviderConfig(kind="claude", base_url=backend.base_url)
    return Route(build_upstream("claude-max", config, {}, account_id=1), "claude-sonnet-4-5")


def account(token: str) -> Account:
    return Account(provider="claude", label="claude-max", auth="oauth", access_token=token, id=1)


def ask(source: str = "openai_chat", **fields: Any) -> Request:
    return Request(
        model="claude-max/claude-sonnet-4-5",
        messages=[Message(role="user", parts=[Text("hi")])],
        max_tokens=100,
        source=source,
        **fields,
    )


def send(call: UpstreamCall, **changes: Any) -> httpx.Response:
    headers = {**call.headers, **changes}
    return httpx.post(
        call.url, headers={k: v for k, v in headers.items() if v is not None}, content=call.content
    )


def test_the_login_is_sent_as_claude_code_would(backend: ClaudeOAuthFake) -> None:
    call = prepare(route(backend), ask(system=[Text("Be brief.")]), None, account(backend.key))
    response = send(call)
    assert response.status_code == 200, response.text
    sent = backend.last
    assert sent.path == "/v1/messages"
    assert sent.header("authorization") == f"Bearer {backend.key}"
    assert sent.header("x-api-key") is None
    assert (
        sent.header("anthropic-beta")
        == "claude-code-20250219,oauth-2025-04-20,interleaved-thinking-2025-05-14"
    )
    assert sent.header("anthropic-version") == "2023-06-01"
    assert sent.header("user-agent").startswith("claude-cli/")
    assert sent.header("x-app") == "cli"
    assert [block["text"] for block in sent.json["system"]] == [
        "You are Claude Code, Anthropic's official CLI for Claude.",
        "Be brief.",
    ]


def test_an_anthropic_clients_betas_are_added_after_the_required_ones(backend: ClaudeOAuthFake) -> None:
    headers = {"anthropic-beta": BETAS}
    call = prepare(route(backend), ask("anthropic"), headers, account(backend.key))
    assert send(call).status_code == 200
    assert backend.last.header("anthropic-beta") == (
        "claude-code-20250219,oauth-2025-04-20,interleaved-thinking-2025-05-14,context-1m-2025-08-07"
    )


def test_tool_names_reach_the_backend_in_claude_code_style(backend: ClaudeOAuthFake) -> None:
    history = [
        Message(role="user", parts=[Text("weather?")]),
        Message(role="assistant", parts=[ToolCall(id="toolu_1", name="get.weather", arguments="{}")]),
        Message(
            role="user", parts=[ToolResult(call_id="toolu_1", name="get.weather", content=[Text("sunny")])]
        ),
    ]
    tools = [Tool(name="get.weather", parameters={"type": "object", "properties": {}}), Tool(name="Read")]
    request = Request(model="m", messages=history, tools=tools, max_tokens=100, source="gemini")
    call = prepare(route(backend), request, None, account(backend.key))
    assert send(call).status_code == 200, backend.last.body
    sent = backend.last.json
    assert [tool["name"] for tool in sent["tools"]] == ["GetWeather", "Read"]
    assert sent["messages"][1]["content"][0]["name"] == "GetWeather"
    assert call.client_names["GetWeather"] == "get.weather"


# -- the fake refuses what Anthropic refuses -------------------------------------------------


def test_without_the_oauth_beta_the_token_is_refused(backend: ClaudeOAuthFake) -> None:
    call = prepare(route(backend), ask(), None, account(backend.key))
    response = send(call, **{"anthropic-beta": "claude-code-20250219"})
    assert response.status_code == 401
    assert response.json()["error"] == {"type": "authentication_error", "message": NO_OAUTH}


def test_without_the_preamble_the_request_is_refused(backend: ClaudeOAuthFake) -> None:
    call = prepare(route(backend), ask(system=[Text("Be brief.")]), None, account(backend.key))
    body = httpx.Response(200, content=call.content).json()
    body["system"] = body["system"][1:]
    response = httpx.post(call.url, headers=call.headers, json=body)
    assert response.status_code == 400
    assert response.json()["error"] == {"type": "invalid_request_error", "message": NOT_CLAUDE_CODE}


def test_a_snake_case_tool_name_is_refused(backend: ClaudeOAuthFake) -> None:
    call = prepare(route(backend), ask(tools=[Tool(name="lookup")]), None, account(backend.key))
    body = httpx.Response(200, content=call.content).json()
    assert body["tools"][0]["name"] == "Lookup"
    body["tools"][0]["name"] = "lookup"
    response = httpx.post(call.url, headers=call.headers, json=body)
    assert response.status_code == 400
    assert response.json()["error"]["message"] == NOT_CLAUDE_CODE


def test_an_api_key_or_an_unknown_or_expired_token_is_refused(backend: ClaudeOAuthFake) -> None:
    stale = new_oauth_token()
    backend.allow(stale, expires_at=1.0)
    call = prepare(route(backend), ask(), None, account(stale))
    response = send(call)
    assert response.status_code == 401 and response.json()["error"]["message"] == EXPIRED
    assert send(call, authorization="Bearer sk-ant-oat01-never-issued").status_code == 401
    assert send(call, authorization=None, **{"x-api-key": backend.key}).status_code == 401


@pytest.mark.parametrize(
    "name", ["claude-code/01-anthropic.messages.stream", "claude-code/03-anthropic.messages.stream"]
)
def test_claude_codes_own_requests_pass_unchanged(backend: ClaudeOAuthFake, name: str) -> None:
    """Claude Code 2.1.329 already sends its billing block, an identity and PascalCase
    tools: none of it is doubled or renamed, and its betas are kept after ours."""
    [capture] = [c for c in load_all() if c.name == name]
    backend.trust(*signatures_in(capture.body))
    request = anthropic_request.parse(capture.body)
    call = prepare(
        route(backend), request, {"anthropic-beta": capture.headers["anthropic-beta"]}, account(backend.key)
    )
    response = send(call)
    assert response.status_code == 200, response.text
    sent = backend.last.json
    assert [block["text"] for block in sent["system"]] == [block["text"] for block in capture.body["system"]]
    assert [tool["name"] for tool in sent["tools"]] == [tool["name"] for tool in capture.body["tools"]]
    assert call.client_names == {}
    betas = backend.last.header("anthropic-beta").split(",")
    assert betas[:2] == ["claude-code-20250219", "oauth-2025-04-20"]
    assert set(capture.headers["anthropic-beta"].split(",")) <= set(betas)


def signatures_in(body: dict[str, Any]) -> list[str]:
    blocks = [
        block
        for message in body["messages"]
        if isinstance(message["content"], list)
        for block in message["content"]
    ]
    return [block["signature"] for block in blocks if isinstance(block, dict) and "signature" in block]

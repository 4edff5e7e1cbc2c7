"""What dragoman sends a Gemini CLI account, checked by the fake Code Assist backend: the
request is built by `upstream_call.prepare` with a stored, onboarded login (as the relay
builds it) and sent as is; the wrapped answers are read by the gemini dialect."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from dragoman import sse
from dragoman.config import ProviderConfig
from dragoman.dialects.gemini import response as gemini_response
from dragoman.dialects.gemini import stream as gemini_stream
from dragoman.ir.messages import Message, Text, ToolCall
from dragoman.ir.request import Request
from dragoman.ir.response import accumulate
from dragoman.ir.tools import Tool
from dragoman.providers.upstream import build_upstream
from dragoman.routing.registry import Route
from dragoman.server.upstream_call import UpstreamCall, prepare
from dragoman.store.accounts import Account
from tests.fakes import Call, Reply
from tests.fakes.code_assist import UNAUTHENTICATED, CodeAssistFake

MODEL = "gemini-2.5-flash"


@pytest.fixture(scope="module")
def backend() -> Iterator[CodeAssistFake]:
    with CodeAssistFake() as fake:
        yield fake  # type: ignore[misc]


@pytest.fixture(autouse=True)
def _onboarded(backend: CodeAssistFake) -> None:
    backend.reset()
    backend.projects["user-1"] = "managed-1"


def call_for(backend: CodeAssistFake, request: Request, project: str | None = "managed-1") -> UpstreamCall:
    upstream = build_upstream(
        "gemini-cli", ProviderConfig(kind="gemini_cli", base_url=backend.base_url), {}, account_id=1
    )
    extra = {"project": project} if project else {}
    account = Account(provider="gemini_cli", auth="oauth", access_token=backend.key, extra=extra, id=1)
    return prepare(Route(upstream, MODEL), request, None, account)


def ask(stream: bool = False, **fields: Any) -> Request:
    messages = [Message(role="user", parts=[Text("hi")])]
    return Request(
        model=f"gemini-cli/{MODEL}", messages=messages, stream=stream, source="openai_chat", **fields
    )


def post(call: UpstreamCall, body: Any = None, **headers: str) -> httpx.Response:
    content = call.content if body is None else None
    return httpx.post(call.url, headers={**call.headers, **headers}, content=content, json=body)


def test_a_request_reaches_code_assist_in_its_envelope(backend: CodeAssistFake) -> None:
    backend.script(Reply(text="Hello there"))
    call = call_for(backend, ask(system=[Text("Be brief.")], tools=[Tool(name="lookup")]))
    response = post(call)
    assert response.status_code == 200, response.text
    sent = backend.last
    assert sent.path == "/v1internal:generateContent"
    assert sent.header("authorization") == f"Bearer {backend.key}"
    assert sent.header("x-goog-api-key") is None
    assert sent.header("user-agent").startswith(f"GeminiCLI/0.61.0/{MODEL} ")
    assert set(sent.json) == {"model", "project", "user_prompt_id", "request"}
    assert sent.json["model"] == MODEL and sent.json["project"] == "managed-1"
    assert sent.json["request"]["systemInstruction"]["parts"] == [{"text": "Be brief."}]
    assert "response" in response.json()
    answer = gemini_response.parse(response.json(), origin="gemini-cli")
    assert answer.parts == [Text("Hello there")]


def test_a_stream_is_read_through_its_wrapped_chunks(backend: CodeAssistFake) -> None:
    backend.script(Reply(text="one two three", tool_calls=[Call("lookup", {"q": "x"})]))
    call = call_for(backend, ask(stream=True, tools=[Tool(name="lookup")]))
    assert call.url.endswith("/v1internal:streamGenerateContent?alt=sse")
    response = post(call)
    assert response.status_code == 200, response.text
    parser, decoder = gemini_stream.Parser("gemini-cli"), sse.Decoder()
    events = [event for message in decoder.feed(response.content) for event in parser.feed(message)]
    answer = accumulate([*events, *parser.close()])
    assert answer.parts[0] == Text("one two three")
    assert isinstance(answer.parts[-1], ToolCall) and answer.parts[-1].name == "lookup"
    assert answer.stop_reason == "tool_use"


# -- the fake refuses what Code Assist refuses ---------------------------------------------


def test_a_bare_gemini_body_is_refused(backend: CodeAssistFake) -> None:
    call = call_for(backend, ask())
    bare = httpx.Response(200, content=call.content).json()["request"]
    response = post(call, bare)
    assert response.status_code == 400
    assert "Unknown name" in response.json()["error"]["message"]


def test_a_request_without_the_accounts_project_is_refused(backend: CodeAssistFake) -> None:
    assert post(call_for(backend, ask(), project=None)).status_code == 400
    response = post(call_for(backend, ask(), project="someone-elses"))
    assert response.status_code == 403
    assert response.json()["error"]["status"] == "PERMISSION_DENIED"


def test_an_api_key_or_a_stranger_token_is_refused(backend: CodeAssistFake) -> None:
    call = call_for(backend, ask())
    response = post(call, authorization="Bearer ya29.stranger")
    assert response.status_code == 401 and response.json()["error"]["message"] == UNAUTHENTICATED
    headers = {k: v for k, v in call.headers.items() if k != "authorization"}
    response = httpx.post(call.url, headers={**headers, "x-goog-api-key": "AIza-key"}, content=call.content)
    assert response.status_code == 401 and "API keys are not supported" in response.json()["error"]["message"]

"""The relay against real (fake) upstreams: failures before and after the first byte,
keep-alives during silence, and stream / non-stream adaptation."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator
from typing import Any

import httpx
import orjson
import pytest

from dragoman import sse
from dragoman.observe.log import RedactingFilter
from tests.fakes import Call, Failure, Reply
from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import MODEL_OF, providers_for, serve_gateway

CHAT = {"model": MODEL_OF["anthropic"], "messages": [{"role": "user", "content": "hi"}]}


@pytest.fixture
def gateway(fakes: FakeUpstreams) -> Iterator[str]:
    with serve_gateway(fakes, keepalive_seconds=0.2) as url:
        yield url


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_an_unreachable_upstream_is_502(fakes: FakeUpstreams) -> None:
    providers = {
        "dead": {
            "kind": "openai_compatible",
            "base_url": f"http://127.0.0.1:{closed_port()}/v1",
            "models": ["m"],
        }
    }
    with serve_gateway(fakes, providers=providers) as url:
        response = httpx.post(url + "/v1/chat/completions", json={**CHAT, "model": "m"})
    assert response.status_code == 502
    assert "dead is unreachable" in response.json()["error"]["message"]


def test_an_upstream_that_never_answers_is_504(fakes: FakeUpstreams) -> None:
    fakes.anthropic.script(Reply(text="late", delay_before_first_byte=3))
    providers = providers_for(fakes, read_timeout=0.3)
    with serve_gateway(fakes, providers=providers) as url:
        started = time.monotonic()
        response = httpx.post(url + "/v1/chat/completions", json=CHAT, timeout=10)
    assert response.status_code == 504
    assert time.monotonic() - started < 2.5
    assert "did not answer in time" in response.json()["error"]["message"]


def test_an_upstream_429_keeps_retry_after(gateway: str, fakes: FakeUpstreams) -> None:
    fakes.anthropic.script(Reply(error=Failure(429, "slow down", retry_after=17)))
    response = httpx.post(gateway + "/v1/chat/completions", json=CHAT)
    assert response.status_code == 429
    assert response.headers["retry-after"] == "17"
    assert "slow down" in response.json()["error"]["message"]


def test_an_upstream_error_answer_is_logged_with_its_cause_and_request_id(
    gateway: str, fakes: FakeUpstreams, caplog: pytest.LogCaptureFixture
) -> None:
    fakes.anthropic.script(Reply(error=Failure(500, "the upstream is on fire")))
    caplog.handler.addFilter(RedactingFilter())  # what adds request ids to dragoman's log lines
    with caplog.at_level(logging.WARNING, logger="dragoman.relay"):
        response = httpx.post(
            gateway + "/v1/chat/completions", json=CHAT, headers={"x-request-id": "req-500"}
        )
    assert response.status_code == 500
    [record] = [r for r in caplog.records if r.name == "dragoman.relay"]
    assert record.getMessage() == "up_anthropic answered 500: the upstream is on fire"
    assert record.request_id == "req-500"  # type: ignore[attr-defined]


def test_an_upstream_error_reaches_each_client_dialect(gateway: str, fakes: FakeUpstreams) -> None:
    fakes.anthropic.script(Reply(error=Failure(429, "slow down", retry_after=3)))
    response = httpx.post(
        gateway + "/v1/messages",
        json={**CHAT, "max_tokens": 10},
        headers={"anthropic-version": "2023-06-01"},
    )
    assert response.status_code == 429
    assert response.json()["error"]["type"] == "rate_limit_error"


def test_keepalives_flow_during_upstream_silence(gateway: str, fakes: FakeUpstreams) -> None:
    fakes.anthropic.script(Reply(text="slow answer", chunks=2, chunk_delay=0.7))
    with httpx.stream("POST", gateway + "/v1/chat/completions", json={**CHAT, "stream": True}) as response:
        raw = b"".join(response.iter_raw())
    assert response.headers["content-type"].startswith("text/event-stream")
    # SSE comments, the Chat dialect's keep-alive: three in each of the six 0.7 s silences
    # (two allowed for a busy machine); giving up a wait for each loses no upstream byte.
    assert keepalives(raw) >= 12
    decoder = sse.Decoder()
    events = decoder.feed(raw) + decoder.flush()
    assert chat_text(events) == "slow answer"
    assert events[-1].data == "[DONE]"


def test_a_silent_upstream_mid_stream_ends_with_an_in_stream_error_after_keepalives(
    fakes: FakeUpstreams,
) -> None:
    """Keep-alives to the client do not count as upstream activity: `read_timeout` still
    ends the silence, and the upstream connection is closed."""
    fakes.anthropic.script(Reply(text="never finished", chunks=2, chunk_delay=5))
    providers = providers_for(fakes, read_timeout=0.7)
    with serve_gateway(fakes, providers=providers, keepalive_seconds=0.2) as url:
        started = time.monotonic()
        with httpx.stream("POST", url + "/v1/chat/completions", json={**CHAT, "stream": True}) as response:
            raw = b"".join(response.iter_raw())
        took = time.monotonic() - started
    assert took < 3  # the upstream would have taken 5 s more
    assert keepalives(raw) >= 2  # during the silence, before the error
    error = orjson.loads(sse.Decoder().feed(raw)[-2].data)["error"]
    assert "up_anthropic stopped sending for 0.7 s" in error["message"]
    [upstream] = fakes.anthropic.streams
    assert upstream.over.wait(timeout=2) and upstream.abandoned


def test_a_client_leaving_mid_stream_closes_the_upstream_stream(gateway: str, fakes: FakeUpstreams) -> None:
    fakes.anthropic.script(Reply(text="word " * 50, chunks=50, chunk_delay=0.1))
    with httpx.stream(
        "POST", gateway + "/v1/chat/completions", json={**CHAT, "stream": True}, timeout=10
    ) as response:
        first = next(response.iter_raw())
        assert first.startswith(b"data: ")
        left = time.monotonic()
    [upstream] = fakes.anthropic.streams
    assert upstream.over.wait(timeout=2)  # the whole answer takes over 5 s
    assert time.monotonic() - left < 1
    assert upstream.abandoned and upstream.sent < 20
    assert_still_serving(gateway, fakes)


def test_a_client_leaving_during_keepalives_closes_the_upstream_stream(
    gateway: str, fakes: FakeUpstreams
) -> None:
    """The upstream thinks (silent after its first event) while the gateway sends
    keep-alives; the client gives up then."""
    fakes.anthropic.script(Reply(text="late answer", chunks=2, chunk_delay=10))
    with httpx.stream(
        "POST", gateway + "/v1/chat/completions", json={**CHAT, "stream": True}, timeout=10
    ) as response:
        raw = b""
        for chunk in response.iter_raw():
            raw += chunk
            if keepalives(raw):
                break
        left = time.monotonic()
    [upstream] = fakes.anthropic.streams
    assert upstream.over.wait(timeout=2)
    assert time.monotonic() - left < 1
    assert upstream.abandoned and upstream.sent == 1  # the first event, then silence
    assert_still_serving(gateway, fakes)


@pytest.mark.parametrize("stream", [True, False])
def test_a_client_leaving_before_the_upstream_answers_abandons_the_call(
    gateway: str, fakes: FakeUpstreams, stream: bool
) -> None:
    """The upstream takes 3 s to its first byte (a long think, a slow non-streamed
    answer); the client gives up after 0.3 s: the upstream call is dropped then."""
    fakes.anthropic.script(Reply(text="too late", delay_before_first_byte=3))
    started = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(gateway + "/v1/chat/completions", json={**CHAT, "stream": stream}, timeout=0.3)
    [upstream] = fakes.anthropic.streams if stream else fakes.anthropic.whole_answers
    assert upstream.over.wait(timeout=2)
    assert time.monotonic() - started < 1.5
    assert upstream.abandoned and upstream.sent == 0
    assert_still_serving(gateway, fakes)


def assert_still_serving(gateway: str, fakes: FakeUpstreams) -> None:
    fakes.anthropic.script(Reply(text="next"))
    response = httpx.post(gateway + "/v1/chat/completions", json=CHAT, timeout=10)
    assert response.status_code == 200, response.text
    assert response.json()["choices"][0]["message"]["content"] == "next"


def keepalives(raw: bytes) -> int:
    return sum(line.startswith(b":") for line in raw.split(b"\n"))


def chat_text(events: list[sse.Event]) -> str:
    return "".join(
        choice["delta"].get("content") or ""
        for event in events
        if event.data != "[DONE]"
        for choice in orjson.loads(event.data)["choices"]
    )


def test_a_stream_cut_by_the_upstream_ends_with_an_in_stream_error(
    gateway: str, fakes: FakeUpstreams
) -> None:
    fakes.anthropic.script(Reply(text="a b c d e f", chunks=6, drop_after_chunks=4))
    with httpx.stream(
        "POST",
        gateway + "/v1/messages",
        json={**CHAT, "max_tokens": 10, "stream": True},
        headers={"anthropic-version": "2023-06-01"},
    ) as response:
        raw = b"".join(response.iter_raw())
    assert response.status_code == 200
    assert b"event: error" in raw
    assert b"message_stop" not in raw


def test_a_streaming_client_is_served_from_a_whole_upstream_answer(
    gateway: str, fakes: FakeUpstreams
) -> None:
    """Asked for a stream, the upstream may answer with one JSON body anyway: the relay adapts."""
    fakes.openai_chat.script(Reply(text="whole"))
    body = {
        "model": MODEL_OF["openai_chat"],
        "messages": [{"role": "user", "content": "hi"}],
        "stream": False,
    }
    with httpx.stream("POST", gateway + "/v1/chat/completions", json=body) as response:
        whole = response.read()
    assert orjson.loads(whole)["choices"][0]["message"]["content"] == "whole"


CLIENT_REQUESTS = {
    "openai_chat": ("/v1/chat/completions", {**CHAT}),
    "openai_responses": ("/v1/responses", {"model": CHAT["model"], "input": "hi"}),
    "anthropic": ("/v1/messages", {**CHAT, "max_tokens": 10}),
    "gemini": (
        f"/v1beta/models/{CHAT['model']}:generateContent",
        {"contents": [{"parts": [{"text": "hi"}]}]},
    ),
}
STATUS_NAMES = {429: "RESOURCE_EXHAUSTED", 502: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED"}
ERROR_TYPES = {
    "openai_chat": {429: "rate_limit_error", 502: "server_error", 504: "server_error"},
    "anthropic": {429: "rate_limit_error", 502: "api_error", 504: "timeout_error"},
}


def error_kind(dialect: str, body: dict[str, object]) -> object:
    error = body["error"]
    assert isinstance(error, dict)
    return error["status"] if dialect == "gemini" else error["type"]


@pytest.mark.parametrize("dialect", sorted(CLIENT_REQUESTS))
def test_upstream_failures_reach_every_client_dialect_in_its_shape(
    dialect: str, fakes: FakeUpstreams
) -> None:
    path, body = CLIENT_REQUESTS[dialect]
    # Each failure on its own account: a failed account cools, and is not asked again.
    fakes.anthropic.script(Reply(error=Failure(429, "slow down", retry_after=9)))
    fakes.openai_chat.script(Reply(text="late", delay_before_first_byte=3))
    dead = {
        "kind": "openai_compatible",
        "base_url": f"http://127.0.0.1:{closed_port()}/v1",
        "models": ["dead-model"],
    }
    providers = {**providers_for(fakes, read_timeout=0.3), "dead": dead}
    expected = ERROR_TYPES.get(dialect, ERROR_TYPES["openai_chat"])
    with serve_gateway(fakes, providers=providers) as url:
        limited = httpx.post(url + path, json=body, headers={"anthropic-version": "2023-06-01"})
        slow_path, slow_body = _for_model(path, body, MODEL_OF["openai_chat"])
        slow = httpx.post(
            url + slow_path, json=slow_body, headers={"anthropic-version": "2023-06-01"}, timeout=10
        )
        gone = httpx.post(
            url + _for_model(path, body, "dead-model")[0], json=_for_model(path, body, "dead-model")[1]
        )
    for response, status in ((limited, 429), (slow, 504), (gone, 502)):
        assert response.status_code == status, response.text
        wanted = STATUS_NAMES[status] if dialect == "gemini" else expected[status]
        assert error_kind(dialect, response.json()) == wanted
    assert limited.headers["retry-after"] == "9"


def _for_model(path: str, body: dict[str, Any], model: str) -> tuple[str, dict[str, Any]]:
    """A client request of CLIENT_REQUESTS asking for another model."""
    return path.replace(CHAT["model"], model), {**body, "model": model} if "model" in body else body


def test_tool_names_an_upstream_rejects_are_renamed_there_and_restored_for_the_client(
    gateway: str, fakes: FakeUpstreams
) -> None:
    """Gemini allows dots in function names, OpenAI does not: the upstream sees a valid
    name, the client gets its own name back."""
    fakes.openai_chat.script(Reply(tool_calls=[Call("fs_read", {"path": "a.txt"})]))
    body = {
        "contents": [{"role": "user", "parts": [{"text": "read a.txt"}]}],
        "tools": [
            {
                "functionDeclarations": [
                    {
                        "name": "fs.read",
                        "description": "Read a file",
                        "parameters": {"type": "object", "properties": {"path": {"type": "string"}}},
                    }
                ]
            }
        ],
    }
    response = httpx.post(gateway + f"/v1beta/models/{MODEL_OF['openai_chat']}:generateContent", json=body)
    assert response.status_code == 200, response.text
    assert [tool["function"]["name"] for tool in fakes.openai_chat.last_json["tools"]] == ["fs_read"]
    [part] = response.json()["candidates"][0]["content"]["parts"]
    assert part["functionCall"]["name"] == "fs.read"
    assert part["functionCall"]["args"] == {"path": "a.txt"}


def shared_model(fakes: FakeUpstreams) -> dict[str, dict[str, object]]:
    """Two providers serving one model id: the first configured is tried first."""
    providers = providers_for(fakes)
    first, second = providers["up_anthropic"], providers["up_openai_chat"]
    return {"first": {**first, "models": ["shared"]}, "second": {**second, "models": ["shared"]}}


@pytest.mark.parametrize("failure", [Failure(500, "boom"), Failure(429, "slow down", retry_after=30)])
def test_a_failing_first_provider_falls_over_to_the_next_serving_the_model(
    fakes: FakeUpstreams, failure: Failure
) -> None:
    fakes.anthropic.script(Reply(error=failure))
    fakes.openai_chat.script(Reply(text="from the fallback"))
    with serve_gateway(fakes, providers=shared_model(fakes)) as url:
        response = httpx.post(url + "/v1/chat/completions", json={**CHAT, "model": "shared"})
    assert response.status_code == 200, response.text
    assert response.json()["choices"][0]["message"]["content"] == "from the fallback"
    assert len(fakes.anthropic.requests) == 1 and len(fakes.openai_chat.requests) == 1


def test_a_request_the_first_provider_calls_invalid_is_not_sent_elsewhere(fakes: FakeUpstreams) -> None:
    fakes.anthropic.script(Reply(error=Failure(400, "bad request")))
    with serve_gateway(fakes, providers=shared_model(fakes)) as url:
        response = httpx.post(url + "/v1/chat/completions", json={**CHAT, "model": "shared"})
    assert response.status_code == 400
    assert fakes.openai_chat.requests == []


def test_when_every_provider_fails_the_last_error_is_returned(fakes: FakeUpstreams) -> None:
    fakes.anthropic.script(Reply(error=Failure(500, "first down")))
    fakes.openai_chat.script(Reply(error=Failure(503, "second down")))
    with serve_gateway(fakes, providers=shared_model(fakes)) as url:
        response = httpx.post(url + "/v1/chat/completions", json={**CHAT, "model": "shared"})
    assert response.status_code == 503
    assert "second down" in response.json()["error"]["message"]

"""The machinery shared by every fake: serving, scripting, recording, timing faults."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import openai
import orjson
import pytest

from tests.fakes import FAKES, Call, Failure, OpenAIChatFake, Reply, Usage
from tests.fakes.fixtures import FakeUpstreams
from tests.fakes.script import split
from tests.test_fakes.raw import events, post

ROOT = Path(__file__).resolve().parents[2]
CHAT = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}


def test_start_serves_on_loopback_and_stop_frees_the_port() -> None:
    fake = OpenAIChatFake().start()
    url = fake.url
    assert url.startswith("http://127.0.0.1:")
    assert post(fake, "/v1/chat/completions", CHAT).status_code == 200
    fake.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(url + "/v1/models", timeout=2)


def test_context_manager_and_distinct_ports() -> None:
    with OpenAIChatFake() as first, OpenAIChatFake() as second:
        assert first.url != second.url
        assert first.base_url == first.url + "/v1"


def test_fixture_gives_every_dialect(fakes: FakeUpstreams) -> None:
    assert [fake.dialect for fake in fakes] == list(FAKES)
    assert fakes["gemini"].base_url.endswith("/v1beta")
    with pytest.raises(KeyError):
        fakes["nope"]


def test_fixture_resets_what_an_earlier_test_left(
    fake_upstreams_session: FakeUpstreams, request: pytest.FixtureRequest
) -> None:
    """The session's fakes, dirtied as an earlier test would leave them, come clean out of
    the `fakes` fixture (asked for only now, as the next test would ask for it)."""
    for fake in fake_upstreams_session:
        fake.script(Reply(text="left over"), Reply(text="never used"))
        fake.key = "a-key-the-test-changed"
    chat = fake_upstreams_session.openai_chat
    chat.key = chat.default_key
    post(chat, "/v1/chat/completions", CHAT)
    assert (len(chat.requests), chat.pending) == (1, 1)
    fakes: FakeUpstreams = request.getfixturevalue("fakes")
    for fake in fakes:
        assert (fake.requests, fake.pending, fake.key) == ([], 0, fake.default_key), fake.dialect


def test_replies_are_consumed_in_order_then_default_ok(fake_openai_chat: OpenAIChatFake) -> None:
    fake_openai_chat.script(Reply(text="one"), Reply(text="two"))
    texts = [
        post(fake_openai_chat, "/v1/chat/completions", CHAT).json()["choices"][0]["message"]["content"]
        for _ in range(3)
    ]
    assert texts == ["one", "two", "OK"]


def test_rejected_requests_consume_no_reply(fake_openai_chat: OpenAIChatFake) -> None:
    fake_openai_chat.script(Reply(text="kept"))
    assert post(fake_openai_chat, "/v1/chat/completions", {"model": "x"}).status_code == 400
    assert (
        post(fake_openai_chat, "/v1/chat/completions", CHAT, {"authorization": "Bearer no"}).status_code
        == 401
    )
    assert fake_openai_chat.pending == 1


def test_requests_are_recorded(fake_openai_chat: OpenAIChatFake) -> None:
    with pytest.raises(AssertionError):
        _ = fake_openai_chat.last
    post(fake_openai_chat, "/v1/chat/completions?trace=1", CHAT, {"X-Custom": "yes"})
    last = fake_openai_chat.last
    assert (last.method, last.path, last.query) == ("POST", "/v1/chat/completions", {"trace": "1"})
    assert last.header("x-custom") == "yes"
    assert last.json == CHAT == fake_openai_chat.last_json
    fake_openai_chat.reset()
    assert fake_openai_chat.requests == []


def test_split_keeps_every_character() -> None:
    assert "".join(split("Hello there world", 3)) == "Hello there world"
    assert len(split("Hello there world", 3)) == 3
    assert split("", 3) == [""]


def test_delay_before_first_byte_holds_back_the_status_line(fake_openai_chat: OpenAIChatFake) -> None:
    fake_openai_chat.script(Reply(text="late", delay_before_first_byte=0.5))
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(
            fake_openai_chat.base_url + "/chat/completions",
            json=CHAT,
            headers={"authorization": f"Bearer {fake_openai_chat.key}"},
            timeout=httpx.Timeout(5, read=0.1),
        )


def test_chunk_delay_spaces_the_events(fake_openai_chat: OpenAIChatFake) -> None:
    fake_openai_chat.script(Reply(text="abcdef", chunks=3, chunk_delay=0.05))
    started = time.monotonic()
    response = post(fake_openai_chat, "/v1/chat/completions", {**CHAT, "stream": True})
    # role chunk, three text chunks, finish chunk, [DONE]: five gaps.
    assert len(events(response.content)) == 6
    assert time.monotonic() - started >= 0.25


def test_drop_after_chunks_cuts_the_connection(fake_openai_chat: OpenAIChatFake) -> None:
    fake_openai_chat.script(Reply(text="abcdef", chunks=3, drop_after_chunks=2))
    received = b""
    request = httpx.stream(
        "POST",
        fake_openai_chat.base_url + "/chat/completions",
        json={**CHAT, "stream": True},
        headers={"authorization": f"Bearer {fake_openai_chat.key}"},
        timeout=5,
    )
    with pytest.raises(httpx.RemoteProtocolError), request as response:
        for chunk in response.iter_bytes():
            received += chunk
    assert len(events(received)) == 2
    assert b"[DONE]" not in received


def test_reply_from_dict_round_trips_nested_values() -> None:
    reply = Reply.from_dict(
        {
            "text": "t",
            "tool_calls": [{"name": "f", "args": {"a": 1}, "id": "call_1"}],
            "usage": {"input": 3, "output": 4},
            "error": {"status": 429, "retry_after": 2},
        }
    )
    assert reply.tool_calls == [Call("f", {"a": 1}, "call_1")]
    assert reply.usage == Usage(input=3, output=4)
    assert reply.error == Failure(429, retry_after=2)


def test_standalone_process_is_scriptable_over_http() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "tests.fakes", "--dialect", "openai_chat", "--port", "0", "--key", "k-1"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        url = line.split()[1]
        scripted = httpx.post(
            url + "/__fake__/script", content=orjson.dumps([{"text": "from afar"}]), timeout=5
        )
        assert scripted.json() == {"pending": 1}
        client = openai.OpenAI(base_url=url + "/v1", api_key="k-1", max_retries=0)
        answer = client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "x"}]
        )
        assert answer.choices[0].message.content == "from afar"
        recorded = httpx.get(url + "/__fake__/requests", timeout=5).json()
        assert recorded[0]["json"]["messages"][0]["content"] == "x"
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()
    # uvicorn shuts down gracefully, then re-raises the SIGTERM it caught.
    assert process.returncode in (0, -signal.SIGTERM)


def test_reset_restores_key_and_models() -> None:
    fake = OpenAIChatFake(key="k-1", models=["m-1"])
    fake.key, fake.models = "k-2", ["m-2"]
    fake.count_tokens_result = 3
    fake.reset()
    assert (fake.key, fake.models, fake.count_tokens_result) == ("k-1", ["m-1"], None)


TOO_LONG_REQUESTS = {
    "openai_chat": ("/v1/chat/completions", CHAT, "maximum context length is 5 tokens"),
    "openai_responses": ("/v1/responses", {"model": "gpt-5", "input": "hi"}, "exceeds the context window"),
    "anthropic": (
        "/v1/messages",
        {"model": "claude-sonnet-4-6", "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]},
        "prompt is too long",
    ),
    "gemini": (
        "/v1beta/models/gemini-2.5-flash:generateContent",
        {"contents": [{"parts": [{"text": "hi"}]}]},
        "exceeds the maximum number of tokens allowed (5)",
    ),
}


@pytest.mark.parametrize("dialect", sorted(TOO_LONG_REQUESTS))
def test_a_request_past_the_context_window_gets_the_providers_too_long_error(
    fakes: FakeUpstreams, dialect: str
) -> None:
    fake = fakes[dialect]
    path, body, words = TOO_LONG_REQUESTS[dialect]
    assert post(fake, path, body).status_code == 200
    fake.context_window = 5
    refused = post(fake, path, body)
    assert refused.status_code == 400
    assert words in refused.text
    assert fake.pending == 0  # the refusal consumed no scripted reply

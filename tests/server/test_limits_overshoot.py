"""Answers that run far past the output a request reserves (an agent's max_tokens of 32000
against `reserve_output_max`) cannot take a budget past one reservation step, however
many run at once: a stream's hold grows as its output passes it and the stream is cut
when the budget refuses (`server.metering`); a whole answer holds its whole max output,
or is lowered to the step when the budget has no room for it (`server.limits`)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import anthropic
import httpx
import openai
import orjson
import pytest

from dragoman.policy.keys import Limit, LocalKey
from tests.cli.test_serve_workers import eventually
from tests.fakes import Reply, Usage
from tests.fakes.fixtures import FakeUpstreams
from tests.fakes.script import FILLER
from tests.gateway import providers_for
from tests.server.test_limits import DAY, ask, headers, keyed, reserved, secret, spent

STEP = 1000  # `[limits] reserve_output_max`, small so that a test runs a few steps quickly
AGENT_MAX = 32_000  # Claude Code's max_tokens
SETTINGS = {"limits": {"reserve_output_max": STEP}}
ADMIN = "dk-test-admin-7c1e94b0d2f6a835"  # reads the traces
# 32000 tokens in 400 chunks: 80 tokens (320 characters) a chunk, sent at a model's pace (one network
# read each: a fake sending all at once would put thousands of tokens in a read, README "Key limits").
LONG = Reply(fills_max_output=True, chunks=400, chunk_delay=0.01)


def prompt(dialect: str, model: str = "gpt-4.1") -> int:
    return reserved(dialect, model) - 100


def test_concurrent_streams_past_the_cap_pass_the_budget_by_less_than_one_step(
    fakes: FakeUpstreams, dragoman_home: Path
) -> None:
    step = prompt("openai_chat") + STEP  # the largest single reservation: a stream's first
    budget = Limit("tokens", "tokens", 20 * step, DAY)
    alice = LocalKey("alice", limits=(budget,))
    fakes.openai_chat.script(*(LONG for _ in range(10)))
    path, body = ask("openai_chat", max_tokens=AGENT_MAX, stream=True)

    async def burst(url: str) -> list[bytes]:
        async with httpx.AsyncClient(timeout=60) as client:

            async def one() -> bytes:
                answer = await client.post(url + path, json=body, headers=headers(alice))
                assert answer.status_code == 200
                return answer.content

            return await asyncio.gather(*(one() for _ in range(10)))

    with keyed(fakes, alice, **SETTINGS) as url:
        answers = asyncio.run(burst(url))
        settled = spent(dragoman_home, alice, budget)
    assert budget.amount - step <= settled <= budget.amount + step  # filled, not passed by a step
    assert all(b"key 'alice' reached its tokens" in answer for answer in answers)
    assert all(answer.endswith(b"data: [DONE]\n\n") for answer in answers)
    # Each upstream stream was closed as its answer was cut: its generation stopped.
    eventually(lambda: all(stream.over.is_set() for stream in fakes.openai_chat.streams), timeout=10)
    assert all(stream.abandoned for stream in fakes.openai_chat.streams)


def test_concurrent_whole_answers_hold_their_max_output_or_are_lowered_to_the_step(
    fakes: FakeUpstreams, dragoman_home: Path
) -> None:
    whole = prompt("openai_chat") + AGENT_MAX
    lowered = prompt("openai_chat") + STEP
    budget = Limit("tokens", "tokens", 3 * whole + 3 * lowered + 10, DAY)
    alice = LocalKey("alice", limits=(budget,))
    # All in flight before any settles; each costs its prompt as estimated and all the output it may.
    filling = Reply(
        fills_max_output=True, usage=Usage(input=prompt("openai_chat")), delay_before_first_byte=2.0
    )
    fakes.openai_chat.script(*(filling for _ in range(10)))
    path, body = ask("openai_chat", max_tokens=AGENT_MAX)

    async def burst(url: str) -> list[int]:
        async with httpx.AsyncClient(timeout=60) as client:
            answers = await asyncio.gather(
                *(client.post(url + path, json=body, headers=headers(alice)) for _ in range(10))
            )
        return [answer.status_code for answer in answers]

    with keyed(fakes, alice, **SETTINGS) as url:
        statuses = asyncio.run(burst(url))
        settled = spent(dragoman_home, alice, budget)
    assert sorted(statuses) == [200] * 6 + [403] * 4
    asked = sorted(request.json["max_completion_tokens"] for request in fakes.openai_chat.requests)
    assert asked == [STEP] * 3 + [AGENT_MAX] * 3
    assert settled == 3 * whole + 3 * lowered <= budget.amount


@pytest.mark.parametrize("kind", ["openai", "openai_compatible"])
def test_a_whole_answer_with_no_max_output_holds_the_models_output_limit_or_is_given_the_step(
    fakes: FakeUpstreams, dragoman_home: Path, kind: str
) -> None:
    budget = Limit("tokens", "tokens", 100_000, DAY)
    alice = LocalKey("alice", limits=(budget,))
    fakes.openai_chat.script(Reply(text="Paris", delay_before_first_byte=1.5))
    path, body = ask("openai_chat", max_tokens=None)
    providers = providers_for(fakes)
    providers["up_openai_chat"] |= {"kind": kind, "models": ["gpt-4.1"]}

    async def held(url: str) -> float:
        async with httpx.AsyncClient(timeout=30) as client:
            answer = asyncio.create_task(client.post(url + path, json=body, headers=headers(alice)))
            await asyncio.sleep(0.7)
            holding = await asyncio.to_thread(spent, dragoman_home, alice, budget)
            assert (await answer).status_code == 200
            return holding

    with keyed(fakes, alice, providers=providers, **SETTINGS) as url:
        holding = asyncio.run(held(url))
    sent = fakes.openai_chat.last_json.get("max_completion_tokens")
    if kind == "openai":  # its model data knows gpt-4.1 writes at most 32768 tokens
        assert (holding, sent) == (prompt("openai_chat") + 32_768, None)
    else:  # nothing bounds the answer: the step does, sent upstream
        assert (holding, sent) == (prompt("openai_chat") + STEP, STEP)


def stream_openai(url: str, key: LocalKey) -> tuple[str, Exception]:
    client = openai.OpenAI(api_key=secret(key), base_url=url + "/v1", max_retries=0)
    text = ""
    with pytest.raises(openai.APIError) as raised:
        for chunk in client.chat.completions.create(
            model="gpt-4.1",
            messages=[{"role": "user", "content": "Write."}],
            max_tokens=AGENT_MAX,
            stream=True,
        ):
            text += (chunk.choices[0].delta.content or "") if chunk.choices else ""
    return text, raised.value


def stream_anthropic(url: str, key: LocalKey) -> tuple[str, Exception]:
    client = anthropic.Anthropic(api_key=secret(key), base_url=url, max_retries=0)
    text = ""
    said = [{"role": "user", "content": "Write."}]
    with (
        pytest.raises(anthropic.APIStatusError) as raised,
        client.messages.stream(model="claude-sonnet-4-6", messages=said, max_tokens=AGENT_MAX) as stream,
    ):
        for piece in stream.text_stream:
            text += piece
    return text, raised.value


SDKS: dict[str, Any] = {"openai_chat": stream_openai, "anthropic": stream_anthropic}


@pytest.mark.parametrize("dialect", list(SDKS))
def test_a_stream_cut_by_the_budget_ends_with_an_error_its_sdk_reads(
    fakes: FakeUpstreams, dragoman_home: Path, dialect: str
) -> None:
    budget = Limit("tokens", "tokens", 3 * STEP + 200, DAY)
    alice = LocalKey("alice", limits=(budget,))
    getattr(fakes, dialect).script(LONG)
    with keyed(fakes, alice, **SETTINGS) as url:
        text, error = SDKS[dialect](url, alice)
        settled = spent(dragoman_home, alice, budget)
    message = str(error)
    assert "key 'alice' reached its tokens 3.2k/day during this answer" in message
    assert "the answer was cut short here; it resets at" in message
    if dialect == "anthropic":  # the event's type, as Anthropic's own 403 says it
        assert error.body["error"]["type"] == "permission_error"
    # What the client got is what was held (two steps grown after the first), to a chunk.
    assert 3 * STEP <= len(text) // 4 <= 3 * STEP + 80
    assert set(text.split()) == {FILLER.strip()}
    assert budget.amount - STEP <= settled <= budget.amount + 80


def events_of(body: bytes) -> list[dict[str, Any]]:
    return [orjson.loads(line[6:]) for line in body.splitlines() if line.startswith(b"data: {")]


def test_a_money_budget_cuts_a_responses_stream_with_response_failed(
    fakes: FakeUpstreams, dragoman_home: Path
) -> None:
    # gpt-5 at $10 per million output tokens: a step of 1000 is $0.01, and $0.035 holds three.
    budget = Limit("budget", "cost", 0.035, DAY)
    alice = LocalKey("alice", limits=(budget,))
    fakes.openai_responses.script(LONG)
    path, body = ask("openai_responses", "gpt-5", max_tokens=AGENT_MAX, stream=True)
    with keyed(fakes, alice, api_keys=[ADMIN], **SETTINGS) as url:
        answer = httpx.post(url + path, json=body, headers=headers(alice), timeout=30)
        settled = spent(dragoman_home, alice, budget)
        admin = {"authorization": f"Bearer {ADMIN}"}
        [trace] = httpx.get(url + "/v1/traces", headers=admin, timeout=10).json()["traces"]
    assert trace["ended"] == "cut: budget_exceeded"  # dragoman's own cut, not an upstream error
    events = events_of(answer.content)
    text = "".join(event["delta"] for event in events if event["type"] == "response.output_text.delta")
    assert events[-1]["type"] == "response.failed"
    error = events[-1]["response"]["error"]
    assert "key 'alice' reached its budget 0.035usd/day during this answer" in error["message"]
    assert 3 * STEP <= len(text) // 4 <= 3 * STEP + 80
    assert 0.03 <= settled <= 0.035 + 0.0008  # three steps and a chunk's worth, within the budget's step


def test_a_gemini_stream_cut_by_the_budget_ends_with_an_error_chunk(
    fakes: FakeUpstreams, dragoman_home: Path
) -> None:
    budget = Limit("tokens", "tokens", 2 * STEP + 200, DAY)
    alice = LocalKey("alice", limits=(budget,))
    fakes.gemini.script(LONG)
    path, body = ask("gemini", "gemini-2.5-flash", max_tokens=AGENT_MAX, stream=True)
    with keyed(fakes, alice, **SETTINGS) as url:
        answer = httpx.post(url + path, json=body, headers=headers(alice), timeout=30)
    events = events_of(answer.content)
    assert answer.status_code == 200
    assert events[-1]["error"]["status"] == "PERMISSION_DENIED"
    assert "key 'alice' reached its tokens 2.2k/day during this answer" in events[-1]["error"]["message"]
    text = "".join(
        part["text"] for event in events[:-1] for part in event["candidates"][0]["content"]["parts"]
    )
    assert 2 * STEP <= len(text) // 4 <= 2 * STEP + 80

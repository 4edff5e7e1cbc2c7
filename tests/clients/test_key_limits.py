"""The agents with a named key over its limits: dragoman's refusal (the key, the limit,
when it frees up) reaches the user through each CLI's own error output, and the run ends
quickly (Codex shows a 429 by its status and request id only).

A budget spent is a 403, which no agent retries. A rate limit is a 429 with `retry-after`;
each agent's retries are kept short by `dragoman setup` (one retry at most), so a run
that waited out a whole minute would show here as a slow one.
"""

from __future__ import annotations

import secrets
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import orjson
import pytest

from dragoman import dialects
from dragoman.ir import tokens
from tests.cli.test_serve_workers import eventually
from tests.clients.agents import AGENTS, Agent
from tests.clients.runner import KEY, Run, Runner
from tests.fakes import Reply, Usage

UPSTREAM = "openai_chat"
MODEL = "gpt-4.1"  # $2 and $8 per million tokens
QUICK = 30.0
# A long answer, 16,382 tokens as dragoman estimates them (four characters a token).
STORY = " ".join(f"w{n:07d}" for n in range(4 * 16_384 // 9))


def make_key(agents: Runner, **options: Any) -> tuple[str, str]:
    """A named key made through the admin API, as `dragoman keys create` does: (name, secret)."""
    name = f"agent-{secrets.token_hex(3)}"
    made = httpx.post(
        agents.dragoman.url + "/v1/admin/keys",
        json={"name": name, **options},
        headers={"authorization": f"Bearer {KEY}"},
        timeout=30,
    )
    assert made.status_code == 201, made.text
    return name, made.json()["secret"]


def spend(agents: Runner, secret: str, output_tokens: int = 10) -> None:
    """One answered request by the key, reporting `output_tokens` of output."""
    agents.fakes[UPSTREAM].script(Reply(text="spent", usage=Usage(input=10, output=output_tokens)))
    answer = httpx.post(
        agents.dragoman.url + "/v1/chat/completions",
        json={"model": MODEL, "messages": [{"role": "user", "content": "hi"}], "max_tokens": 16},
        headers={"authorization": f"Bearer {secret}"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text


def refused(run: Run, status: int) -> None:
    assert run.returncode not in (0, None), run.report()
    assert run.seconds < QUICK, run.report()
    assert run.exchanges and all(f" {status} " in line for line in run.statuses()), run.report()
    assert not run.upstream_posts(UPSTREAM), run.report()


@pytest.mark.parametrize("agent", AGENTS.values(), ids=list(AGENTS))
def test_a_spent_budget_shows_the_key_the_budget_and_its_reset(agents: Runner, agent: Agent) -> None:
    name, secret = make_key(agents, budget="1usd/day")
    spend(agents, secret, output_tokens=200_000)  # $1.60
    run = agents.run(agent, MODEL, "Reply with OK", key=secret, timeout=QUICK * 2)
    refused(run, 403)
    shown = " ".join(run.output.split())  # a terminal's line wrapping undone
    assert f"key '{name}' is over its budget 1usd/day: $1.60 of $1.00 used" in shown, run.report()
    assert "it resets at" in shown, run.report()


@contextmanager
def one_in_flight(agents: Runner, secret: str) -> Iterator[None]:
    """A request by the key held in flight (its answer slow to come) until the block ends,
    when its client leaves."""
    agents.fakes[UPSTREAM].script(Reply(text="late", delay_before_first_byte=60.0))
    before = len(agents.fakes[UPSTREAM].requests)
    body = orjson.dumps({"model": MODEL, "messages": [{"role": "user", "content": "hi"}], "max_tokens": 16})
    head = (
        f"POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer {secret}\r\n"
        f"content-type: application/json\r\ncontent-length: {len(body)}\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", agents.dragoman.port)) as held:
        held.sendall(head.encode() + body)
        eventually(lambda: len(agents.fakes[UPSTREAM].requests) > before)
        yield


@pytest.mark.parametrize("agent", AGENTS.values(), ids=list(AGENTS))
def test_a_rate_limit_shows_the_key_the_limit_and_when_to_retry(agents: Runner, agent: Agent) -> None:
    # max_concurrent, a rate limit whose retry-after is 1 s: the agents' retries stay
    # quick (an rpm's retry-after runs to the end of its minute, which they wait out).
    name, secret = make_key(agents, max_concurrent=1)
    with one_in_flight(agents, secret):
        run = agents.run(agent, MODEL, "Reply with OK", key=secret, timeout=QUICK * 2)
    refused(run, 429)
    assert {
        exchange.response.headers.get("retry-after") for exchange in run.exchanges if exchange.response
    } == {"1"}, run.report()
    shown = " ".join(run.output.split())
    if agent.name == "codex":
        # Codex reads a 429's body only for ChatGPT's own plan limits: after its retries it
        # names the status and the request id, whose trace has dragoman's message.
        rid = run.exchanges[-1].response.headers["x-request-id"] if run.exchanges[-1].response else "-"
        assert f"exceeded retry limit, last status: 429 Too Many Requests, request id: {rid}" in shown, (
            run.report()
        )
        return
    expected = f"key '{name}' already has 1 requests in flight, its max_concurrent 1; try again when one ends"
    assert expected in shown, run.report()


def prompt_tokens(run: Run) -> int:
    """The largest prompt the agent sent upstream, as dragoman estimates a prompt."""
    parse = dialects.get(UPSTREAM).request.parse
    return max(tokens.estimate(parse(request.json)) for request in run.upstream_posts(UPSTREAM))


@pytest.mark.parametrize("agent", AGENTS.values(), ids=list(AGENTS))
def test_an_answer_cut_by_the_budget_shows_the_key_and_the_budget(agents: Runner, agent: Agent) -> None:
    # A first run, with room to spare, tells how large the agent's prompt is.
    _, roomy = make_key(agents, tokens="10M/day")
    probe = agents.run(agent, MODEL, "Write a long story", key=roomy, timeout=QUICK * 2)
    # Room for the prompt and one reservation step (`reserve_output_max`, 8192) and some, not two.
    name, secret = make_key(agents, tokens=f"{prompt_tokens(probe) + 8192 + 4096}/day")
    # Paced as a model writes: sent all at once, the whole answer can land in the read that
    # ends it, past the hold only as it ends, which is not cut (`server.metering`). Words
    # that do not repeat: Gemini CLI leaves a stream whose text repeats (its loop detection).
    long = Reply(text=STORY, chunks=400, chunk_delay=0.002, usage=Usage(input=10, output=len(STORY) // 4))
    agents.fakes[UPSTREAM].script(long, long, long)
    run = agents.run(agent, MODEL, "Write a long story", key=secret, timeout=QUICK * 2)
    assert run.log_lines(r"200 .* stream cut: budget_exceeded"), run.report()
    # Each agent takes the stream's error event for a failed try and tries again: the budget
    # refuses that with its 403, whose message the agent prints (not the event's own).
    shown = " ".join(run.output.split())
    assert f"key '{name}' is over its tokens" in shown, run.report()
    assert run.seconds < QUICK, run.report()

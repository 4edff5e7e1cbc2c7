"""An upstream that fails (500, 429): the agent gives up quickly after its limited retries,
exits non-zero with an error naming the cause, and dragoman's log has the upstream's
answer and the request id it also sent the agent (X-Request-ID).

After a 429 the account cools until the reset it named, so the agent's retry is answered
by the pool's own 429 ("no account can serve ... (429 ...: <the upstream's message>)"):
the cause reaches the agent either way."""

from __future__ import annotations

import re
import secrets

import pytest

from tests.clients.agents import AGENTS, Agent
from tests.clients.runner import Run, Runner
from tests.fakes import Failure, Reply
from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import MODEL_OF

# One upstream dialect per agent, so that each dialect's error parsing is crossed once.
UPSTREAM_OF = {"claude-code": "gemini", "codex": "openai_chat", "gemini-cli": "anthropic"}
PROVIDER_OF = {"gemini": "gemini", "openai_chat": "openai_chat", "anthropic": "anthropic"}
QUICK = 30.0  # seconds; Gemini CLI waits about 5 s before its one retry
MOST_ATTEMPTS = 4  # Codex: one request retry, each with one stream retry

# What each agent prints for each failure ({cause}: the upstream's message, {rid}: the
# request id). Codex prints one fixed sentence for any HTTP 500, whatever the body says.
EXPECTED = {
    ("claude-code", 500): ["API Error: 500 {cause}"],
    ("claude-code", 429): ["API Error: Request rejected (429) · ", "{cause}"],
    ("codex", 500): ["We\u2019re currently experiencing high demand"],
    ("codex", 429): ["last status: 429 Too Many Requests, request id: {rid}"],
    ("gemini-cli", 500): ['{{"error":{{"code":500,"message":"{cause}","status":"INTERNAL"}}}}'],
    ("gemini-cli", 429): ["{cause}", "status: 429"],
}


@pytest.mark.parametrize("status", [500, 429])
@pytest.mark.parametrize("agent", AGENTS.values(), ids=list(AGENTS))
def test_an_upstream_failure_ends_the_run_quickly_naming_the_cause(
    agents: Runner, fakes: FakeUpstreams, agent: Agent, status: int
) -> None:
    upstream = UPSTREAM_OF[agent.name]
    cause = f"scripted {status} {secrets.token_hex(4)}"
    retry_after = 1.0 if status == 429 else None
    failure = Reply(error=Failure(status, cause, retry_after=retry_after))
    fakes[upstream].script(*[failure] * (MOST_ATTEMPTS + 2))

    run = agents.run(agent, MODEL_OF[upstream], "Reply with OK", timeout=QUICK * 2)

    assert run.returncode not in (0, None), run.report()
    assert run.seconds < QUICK, run.report()
    assert 1 <= len(run.upstream_posts(upstream)) <= MOST_ATTEMPTS, run.report()
    assert run.log_lines(re.escape(f"{PROVIDER_OF[upstream]} answered {status}: {cause}")), run.report()
    rid = logged_request_id(run, "dragoman.access: POST")  # the agent's last request
    for text in EXPECTED[agent.name, status]:
        assert text.format(cause=cause, rid=rid) in run.output, run.report()
    assert run.log_lines(rf"\[{rid}\] dragoman\.access: POST \S+ {status} "), run.report()
    answers = [exchange.response for exchange in run.exchanges if exchange.response]
    assert rid in {answer.headers.get("x-request-id") for answer in answers}, run.report()


def logged_request_id(run: Run, message: str) -> str:
    """The request id of the last dragoman log line carrying `message`."""
    lines = run.log_lines(re.escape(message))
    assert lines, f"dragoman did not log {message!r}\n{run.report()}"
    found = re.search(r" \[([0-9A-Za-z._:-]+)\] ", lines[-1])
    assert found, lines[-1]
    return found.group(1)

"""OpenCode and Kilo (its fork), each configured by `dragoman setup` in a fresh HOME (its
file, and the variables it says to export): a one-shot prompt answered by an upstream of
another dialect with the key setup wrote, and a real tool round trip with the agent's
own `read` tool. A run fails if the agent tried to leave the machine for anything but
the one `npm install` no setting stops (`Agent.may_reach`): no models catalogue, no
vendor gateway, no telemetry, no update check."""

from __future__ import annotations

import secrets

import pytest

from tests.clients.agents import OPENCODE_FAMILY, Agent
from tests.clients.runner import KEY, Runner
from tests.clients.turns import requested_model, tool_turn
from tests.fakes import Reply
from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import MODEL_OF

# One other dialect each, so that both agents cross a translation.
UPSTREAM_OF = {"opencode": "anthropic", "kilo": "gemini"}
AGENTS = [pytest.param(agent, id=agent.name) for agent in OPENCODE_FAMILY.values()]
PROMPT = "Read the file hello.txt in the current directory and tell me what it says."


@pytest.mark.parametrize("agent", AGENTS)
def test_a_one_shot_prompt_is_answered_through_dragoman(
    agents: Runner, fakes: FakeUpstreams, agent: Agent
) -> None:
    upstream = UPSTREAM_OF[agent.name]
    answer = f"Hello from the {upstream} upstream, {secrets.token_hex(4)}."
    fakes[upstream].script(Reply(text=answer))
    run = agents.run(agent, MODEL_OF[upstream], "Reply with OK")
    assert run.returncode == 0, run.report()
    assert answer in run.stdout, run.report()
    posts = run.upstream_posts(upstream)
    assert len(posts) == 1, run.report()
    assert requested_model(upstream, posts[0].path, posts[0].json) == MODEL_OF[upstream]
    assert set(run.statuses()) == {"HTTP/1.1 200 OK"}, run.report()
    assert run.sent_header("authorization") == {f"Bearer {KEY}"}, run.report()
    assert not run.dragoman_errors(), run.report()


@pytest.mark.parametrize("agent", AGENTS)
def test_the_agent_runs_its_read_tool_and_the_result_reaches_the_upstream(
    agents: Runner, fakes: FakeUpstreams, agent: Agent
) -> None:
    upstream = UPSTREAM_OF[agent.name]
    workdir = agents.workdir()
    content = f"tool-round-trip-{secrets.token_hex(6)}"
    (workdir / "hello.txt").write_text(content + "\n")
    call = agent.read_call(workdir / "hello.txt")
    final = f"The file holds the magic words, {secrets.token_hex(4)}."
    fakes[upstream].script(Reply(tool_calls=[call]), Reply(text=final))

    run = agents.run(agent, MODEL_OF[upstream], PROMPT, workdir=workdir)

    assert run.returncode == 0, run.report()
    posts = run.upstream_posts(upstream)
    assert len(posts) == 2, run.report()
    calls, results = tool_turn(upstream, posts[1].json)
    assert list(calls.values()) == [call.name], run.report()
    assert any(content in text for _, text in results), run.report()
    assert final in run.stdout, run.report()

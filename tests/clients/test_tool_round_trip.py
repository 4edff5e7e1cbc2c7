"""A real tool round trip: the upstream's model calls the agent's own file-reading or shell
tool, the agent runs it on a real file, and the file's content reaches the upstream in
the next request as the result of that very call; the agent then prints the final answer."""

from __future__ import annotations

import secrets

import pytest

from tests.clients.agents import AGENTS, Agent
from tests.clients.runner import Runner
from tests.clients.turns import tool_turn
from tests.fakes import Reply
from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import MODEL_OF

CASES = [
    pytest.param(agent, upstream, id=f"{agent.name}->{upstream}")
    for agent in AGENTS.values()
    for upstream in MODEL_OF
    if upstream != agent.dialect
]
PROMPT = "Read the file hello.txt in the current directory and tell me what it says."


@pytest.mark.parametrize(("agent", "upstream"), CASES)
def test_the_agent_runs_its_tool_and_the_result_reaches_the_upstream(
    agents: Runner, fakes: FakeUpstreams, agent: Agent, upstream: str
) -> None:
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
    carrying = [key for key, text in results if content in text]
    assert carrying and set(carrying) <= set(calls), run.report()
    assert final in run.stdout, run.report()
    assert not run.dragoman_errors(), run.report()


# Reasoning upstreams whose signature must survive the agent's tool loop: Gemini 3 refuses
# a replayed call without its thoughtSignature, Anthropic (thinking on) a tool loop without
# its thinking block, and OpenAI continues from its encrypted reasoning. Claude Code and
# Codex send reasoning back; Gemini CLI drops thought parts from its history (and marks
# the call "skip_thought_signature_validator"), so there dragoman must cope without it.
REASONING = [
    # (agent, upstream, model asked for, agent options, the agent sends reasoning back)
    ("claude-code", "openai_responses", "gpt-5", (), True),
    ("claude-code", "gemini", "gemini-3-pro-preview", (), True),
    ("codex", "anthropic", "claude-sonnet-4-6", ("-c", 'model_reasoning_effort="high"'), True),
    ("codex", "gemini", "gemini-3-pro-preview", (), True),
    ("gemini-cli", "anthropic", "gemini-2.5-pro", (), False),  # an alias, so that it asks a budget
    ("gemini-cli", "openai_responses", "gpt-5", (), False),
]


@pytest.mark.parametrize(
    ("name", "upstream", "model", "options", "replays"),
    [pytest.param(*case, id=f"{case[0]}->{case[1]}") for case in REASONING],
)
def test_reasoning_signatures_survive_the_agents_tool_loop(
    agents: Runner,
    fakes: FakeUpstreams,
    name: str,
    upstream: str,
    model: str,
    options: tuple[str, ...],
    replays: bool,
) -> None:
    agent = AGENTS[name]
    workdir = agents.workdir()
    content = f"signed-round-trip-{secrets.token_hex(6)}"
    (workdir / "hello.txt").write_text(content + "\n")
    call = agent.read_call(workdir / "hello.txt")
    final = f"Read it, {secrets.token_hex(4)}."
    fakes[upstream].script(Reply(thinking="I should read the file.", tool_calls=[call]), Reply(text=final))

    run = agents.run(agent, model, PROMPT, workdir=workdir, options=options)

    assert run.returncode == 0, run.report()
    assert final in run.stdout, run.report()
    posts = run.upstream_posts(upstream)
    assert len(posts) == 2, run.report()
    issued = fakes[upstream].signatures
    assert issued, f"the {upstream} fake was not asked to reason\n{run.report()}"
    replayed = [signature for signature in issued if signature in posts[1].body.decode()]
    assert bool(replayed) == replays, run.report()

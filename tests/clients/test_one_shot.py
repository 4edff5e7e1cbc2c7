"""Each agent asks one question of a model that an upstream of each other dialect serves,
and prints that upstream's answer."""

from __future__ import annotations

import secrets

import pytest

from tests.clients.agents import AGENTS, Agent
from tests.clients.runner import KEY, Runner
from tests.clients.turns import requested_model
from tests.fakes import Reply
from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import MODEL_OF

CASES = [
    pytest.param(agent, upstream, id=f"{agent.name}->{upstream}")
    for agent in AGENTS.values()
    for upstream in MODEL_OF
    if upstream != agent.dialect
]
SENT_KEY = {"authorization": f"Bearer {KEY}"}


@pytest.mark.parametrize(("agent", "upstream"), CASES)
def test_a_one_shot_prompt_is_answered_by_an_upstream_of_another_dialect(
    agents: Runner, fakes: FakeUpstreams, agent: Agent, upstream: str
) -> None:
    answer = f"Hello from the {upstream} upstream, {secrets.token_hex(4)}."
    fakes[upstream].script(Reply(text=answer))
    run = agents.run(agent, MODEL_OF[upstream], "Reply with OK")
    assert run.returncode == 0, run.report()
    assert answer in run.stdout, run.report()
    posts = run.upstream_posts(upstream)
    assert len(posts) == 1, run.report()
    assert requested_model(upstream, posts[0].path, posts[0].json) == MODEL_OF[upstream]
    assert run.statuses() == ["HTTP/1.1 200 OK"], run.report()
    assert run.sent_header(agent.key_header) == {SENT_KEY.get(agent.key_header, KEY)}, run.report()
    assert not run.dragoman_errors(), run.report()

"""The agents against a dragoman started with `--api-key`: each presents the key that
`dragoman setup` wrote into its config, and a wrong key is refused before any upstream
is called."""

from __future__ import annotations

import pytest

from tests.clients.agents import AGENTS, Agent
from tests.clients.runner import KEY, Run, Runner
from tests.fakes import Reply
from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import MODEL_OF

CLAUDE = AGENTS["claude-code"]
CODEX = AGENTS["codex"]
GEMINI = AGENTS["gemini-cli"]
BEARER = f"Bearer {KEY}"

# (agent, the header the key must arrive in, that header's value)
STYLES = [
    pytest.param(CLAUDE, "authorization", BEARER, id="claude-code-auth-token"),
    pytest.param(CODEX, "authorization", BEARER, id="codex-bearer-token"),
    pytest.param(GEMINI, "x-goog-api-key", KEY, id="gemini-cli-api-key"),
]
OTHER_KEY_HEADERS = {"x-api-key", "authorization", "x-goog-api-key"}
# How each agent reports dragoman's 401.
REFUSED = {
    "claude-code": "Failed to authenticate",
    "codex": "unexpected status 401 Unauthorized: invalid API key",
    "gemini-cli": "invalid API key",
}


def other_dialect(agent: Agent) -> str:
    return next(dialect for dialect in MODEL_OF if dialect != agent.dialect)


@pytest.mark.parametrize(("agent", "header", "value"), STYLES)
def test_the_key_arrives_as_setup_wrote_it(
    agents: Runner, fakes: FakeUpstreams, agent: Agent, header: str, value: str
) -> None:
    upstream = other_dialect(agent)
    fakes[upstream].script(Reply(text="authenticated"))
    run = agents.run(agent, MODEL_OF[upstream], "Reply with OK")
    assert run.returncode == 0 and "authenticated" in run.stdout, run.report()
    assert run.sent_header(header) == {value}, run.report()
    for other in OTHER_KEY_HEADERS - {header}:
        assert run.sent_header(other) == {None}, run.report()


@pytest.mark.parametrize("agent", [CLAUDE, CODEX, GEMINI], ids=lambda agent: agent.name)
def test_a_wrong_key_is_refused_and_named(agents: Runner, agent: Agent) -> None:
    upstream = other_dialect(agent)
    run = agents.run(agent, MODEL_OF[upstream], "Reply with OK", key="not-the-key")
    assert run.returncode not in (0, None), run.report()
    assert refused_everywhere(run), run.report()
    assert REFUSED[agent.name] in run.output, run.report()
    assert not run.upstream_posts(upstream), run.report()


def refused_everywhere(run: Run) -> bool:
    return bool(run.exchanges) and all(status.startswith("HTTP/1.1 401") for status in run.statuses())

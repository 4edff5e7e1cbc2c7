"""A long Codex session compacts and continues, whatever upstream serves its model: with
a small `model_auto_compact_token_limit`, Codex (set up by `dragoman setup codex`) sends
a compaction_trigger mid-turn; dragoman has the model summarise, answers with one sealed
compaction item, and Codex's next request carries it, which reaches the model as the
summary. Through OpenAI itself the trigger is OpenAI's to answer, and its item goes back
to it untouched."""

from __future__ import annotations

import secrets

import pytest

from tests.clients.agents import AGENTS
from tests.clients.runner import Runner
from tests.fakes import Reply
from tests.fakes.fixtures import FakeUpstreams
from tests.fakes.script import Usage
from tests.gateway import MODEL_OF

PROMPT = "Read the file hello.txt in the current directory and tell me what it says."
# Reported by the first answer: far over the limit, so Codex compacts before going on.
LIMIT, USED = 1000, 50_000


@pytest.mark.parametrize("upstream", ["anthropic", "gemini"])
def test_codex_compacts_through_another_dialect_and_continues(
    agents: Runner, fakes: FakeUpstreams, upstream: str
) -> None:
    agent = AGENTS["codex"]
    workdir = agents.workdir()
    content = f"compaction-{secrets.token_hex(6)}"
    (workdir / "hello.txt").write_text(content + "\n")
    summary = f"Handoff: hello.txt was read and holds {content}."
    final = f"It says {content}, {secrets.token_hex(4)}."
    fakes[upstream].script(
        Reply(tool_calls=[agent.read_call(workdir / "hello.txt")], usage=Usage(input=USED, output=10)),
        Reply(text=summary),
        Reply(text=final),
    )
    options = ("-c", f"model_auto_compact_token_limit={LIMIT}")

    run = agents.run(agent, MODEL_OF[upstream], PROMPT, workdir=workdir, options=options)

    assert run.returncode == 0, run.report()
    assert final in run.stdout, run.report()
    sent = [exchange.request.body.decode() for exchange in run.exchanges]
    assert len(sent) == 3 and '"compaction_trigger"' in sent[1], run.report()
    assert '"type":"compaction"' in sent[2] and "dgc1." in sent[2], run.report()
    posts = run.upstream_posts(upstream)
    assert len(posts) == 3, run.report()
    assert summary in posts[2].body.decode() and "dgc1." not in posts[2].body.decode(), run.report()
    assert run.statuses() == ["HTTP/1.1 200 OK"] * 3, run.report()
    assert not run.dragoman_errors(), run.report()


def test_codex_compacts_through_openai_with_openais_own_item(agents: Runner, fakes: FakeUpstreams) -> None:
    agent, fake = AGENTS["codex"], fakes["openai_responses"]
    workdir = agents.workdir()
    (workdir / "hello.txt").write_text("native\n")
    final = f"Read it, {secrets.token_hex(4)}."
    fake.script(
        Reply(tool_calls=[agent.read_call(workdir / "hello.txt")], usage=Usage(input=USED, output=10)),
        Reply(text="unused: OpenAI answers a trigger with its compaction item"),
        Reply(text=final),
    )
    options = ("-c", f"model_auto_compact_token_limit={LIMIT}")

    run = agents.run(agent, MODEL_OF["openai_responses"], PROMPT, workdir=workdir, options=options)

    assert run.returncode == 0, run.report()
    assert final in run.stdout, run.report()
    posts = run.upstream_posts("openai_responses")
    assert len(posts) == 3, run.report()
    assert posts[1].json["input"][-1]["type"] == "compaction_trigger", run.report()
    carried = [item for item in posts[2].json["input"] if item.get("type") == "compaction"]
    # The fake's own token (it refuses any other), never dragoman's envelope.
    assert len(carried) == 1 and carried[0]["encrypted_content"] in fake.signatures, run.report()
    assert not run.dragoman_errors(), run.report()

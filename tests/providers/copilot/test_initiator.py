"""X-Initiator, decided from the IR request: on the captured Claude Code and Codex
conversations (a typed prompt is the user's; the turn that carries a tool's result back
is the agent's), and on compaction and prefill turns."""

from __future__ import annotations

import pytest

from dragoman import dialects
from dragoman.ir.messages import Message, Text, ToolCall, ToolResult
from dragoman.ir.request import Request
from dragoman.providers.copilot.initiator import initiator
from tests.captures import Capture, load_all

# Per capture: the first turn of a run is typed by the user, the second carries the
# tool result (tests/fixtures/client-requests/INDEX.md).
EXPECTED = {
    "claude-code/01-anthropic.messages.stream": "user",
    "claude-code/02-anthropic.messages.stream": "user",
    "claude-code/03-anthropic.messages.stream": "agent",
    "claude-code/04-anthropic.messages.stream": "user",
    "claude-code/05-anthropic.messages.stream": "user",
    "claude-code/06-anthropic.messages.stream": "agent",
    "codex/01-openai.responses.stream": "user",
    "codex/02-openai.responses.stream": "user",
    "codex/03-openai.responses.stream": "agent",
    "codex/04-openai.responses.stream": "user",
    "codex/05-openai.responses.stream": "user",
    "codex/06-openai.responses.stream": "user",
    "codex/07-openai.responses.stream": "agent",
}
CAPTURES = {capture.name: capture for capture in load_all() if capture.name in EXPECTED}


def test_every_expected_capture_exists() -> None:
    assert sorted(CAPTURES) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_captured_conversations(name: str) -> None:
    capture: Capture = CAPTURES[name]
    assert capture.dialect is not None
    request = dialects.get(capture.dialect).request.parse(capture.body)
    assert initiator(request) == EXPECTED[name]


def _request(*messages: Message) -> Request:
    return Request(model="gpt-5", messages=list(messages))


def test_a_compaction_is_the_agents() -> None:
    prompt = "Your task is to create a detailed summary of the conversation so far, paying close attention"
    history = Message("assistant", [Text("Done.")])
    assert (
        initiator(_request(Message("user", [Text("Fix it")]), history, Message("user", [Text(prompt)])))
        == "agent"
    )


def test_a_codex_checkpoint_compaction_is_the_agents() -> None:
    prompt = "You are performing a CONTEXT CHECKPOINT COMPACTION. Create a handoff summary"
    assert initiator(_request(Message("user", [Text(prompt)]))) == "agent"


def test_an_assistant_prefill_is_the_agents() -> None:
    assert initiator(_request(Message("user", [Text("Hi")]), Message("assistant", [Text("{")]))) == "agent"


def test_a_system_note_after_the_prompt_keeps_it_the_users() -> None:
    messages = (Message("user", [Text("Hi")]), Message("system", [Text("Be brief.")]))
    assert initiator(_request(*messages)) == "user"


def test_tool_results_with_a_text_beside_them_are_the_agents() -> None:
    call = Message("assistant", [ToolCall(id="c1", name="read")])
    result = Message("user", [ToolResult(call_id="c1", content=[Text("42")]), Text("<system-reminder>")])
    assert initiator(_request(Message("user", [Text("Read it")]), call, result)) == "agent"


def test_no_message_at_all_is_the_agents() -> None:
    assert initiator(_request()) == "agent"

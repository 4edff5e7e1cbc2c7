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


# Claude Code's background calls, shaped from a captured Claude Code request (its
# billing line, metadata and headers kept) as the public reimplementations quote them.
TOPIC = (
    "Analyze if this message indicates a new conversation topic. If it does, extract a 2-3 word "
    "title that captures the new topic. Format your response as a JSON object with two fields: "
    "'isNewTopic' (boolean) and 'title' (string, or null if isNewTopic is false)."
)
SUMMARY = (
    "Summarize this coding conversation in under 50 characters.\n"
    "Capture the main task, key files, problems addressed, and current status."
)
SESSION_TITLE = (
    "Generate a concise, sentence-case title (3-7 words) that captures the main topic or goal "
    "of this coding session."
)


def _claude_code_side_call(system: str | None, text: str, **fields: object) -> dict:
    body = dict(CAPTURES["claude-code/01-anthropic.messages.stream"].body)
    billing = body["system"][0]
    body.update(
        model="claude-haiku-4-5-20251001", max_tokens=512, messages=[{"role": "user", "content": text}]
    )
    body["system"] = [billing] + ([{"type": "text", "text": system}] if system else [])
    for name in ("tools", "thinking", "context_management", "output_config"):
        body.pop(name, None)
    body.update(fields)
    return body


def _decide(body: dict, dialect: str = "anthropic") -> str:
    return initiator(dialects.get(dialect).request.parse(body))


@pytest.mark.parametrize(
    ("system", "text", "fields"),
    [
        (TOPIC, "Fix the failing test in parser.py", {}),
        (SUMMARY, "Please write a 5-10 word title for the following conversation:\n\nUser: hi", {}),
        (SESSION_TITLE, "Fix the failing test in parser.py", {}),
        (None, "Please write a 5-10 word title for the following conversation:\n\nUser: hi", {}),
        (None, "quota", {"max_tokens": 1}),
        (None, "Warmup", {}),
        (None, "Is this command safe to run: ls -la", {}),
    ],
    ids=["topic", "summary", "session-title", "title-request", "quota-probe", "warmup", "haiku-side-call"],
)
def test_claude_code_background_calls_are_the_agents(system: str | None, text: str, fields: dict) -> None:
    assert _decide(_claude_code_side_call(system, text, **fields)) == "agent"


def test_a_typed_prompt_on_haiku_with_claude_codes_tools_is_the_users() -> None:
    body = dict(CAPTURES["claude-code/01-anthropic.messages.stream"].body, model="claude-haiku-4-5")
    assert _decide(body) == "user"


def test_a_one_token_prompt_other_than_the_probe_is_the_users() -> None:
    body = {"model": "claude-haiku-4-5", "max_tokens": 1, "messages": [{"role": "user", "content": "Hi"}]}
    assert _decide(body) == "user"


def test_a_haiku_prompt_from_another_client_is_the_users() -> None:
    body = {"model": "claude-haiku-4-5", "max_tokens": 64, "messages": [{"role": "user", "content": "Hi"}]}
    assert _decide(body) == "user"


@pytest.mark.parametrize("name", ["gemini-cli/04-gemini.generate", "gemini-cli/06-gemini.generate"])
def test_gemini_clis_captured_router_call_is_the_agents(name: str) -> None:
    capture = next(capture for capture in load_all() if capture.name == name)
    assert _decide(capture.body, "gemini") == "agent"


def test_gemini_clis_captured_prompt_is_the_users() -> None:
    capture = next(capture for capture in load_all() if capture.name == "gemini-cli/05-gemini.stream")
    assert _decide(capture.body, "gemini") == "user"


def test_a_codex_title_request_is_the_agents() -> None:
    schema = {"type": "object", "properties": {"title": {"type": "string"}}, "required": ["title"]}
    body = {
        "model": "gpt-5",
        "input": [{"role": "user", "content": [{"type": "input_text", "text": "Fix the parser"}]}],
        "text": {"format": {"type": "json_schema", "name": "title", "strict": True, "schema": schema}},
    }
    assert _decide(body, "openai_responses") == "agent"


def test_every_rule_names_a_condition() -> None:
    from dragoman.providers.copilot.background import Rule, rules

    # A rule without a condition would make every request a background call.
    assert rules() and all(rule.name and rule != Rule(name=rule.name) for rule in rules())

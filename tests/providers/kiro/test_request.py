"""The request mapping rules Kiro's runtime holds a body to (history.py, request.py),
checked on the body itself and against the fake's validator."""

from __future__ import annotations

import pytest

from dragoman.ir.errors import ContextTooLong, InvalidRequest
from dragoman.ir.messages import Image, Message, Text, Thinking, ToolCall, ToolResult
from dragoman.ir.request import Request
from dragoman.ir.tools import Tool, ToolChoice
from dragoman.providers.kiro.request import BODY_LIMIT, render
from tests.fakes.kiro import MODELS
from tests.fakes.kiro_validate import validate

MODEL = "claude-sonnet-4.5"
WEATHER = Tool(
    "weather",
    "The weather in a city",
    {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": [],
        "additionalProperties": False,
    },
)


def _render(request: Request) -> dict:
    body = render(request, model=MODEL)
    validate(body, len(str(body)), MODELS, needs_profile=False)
    return body


def _state(request: Request) -> dict:
    return _render(request)["conversationState"]


def _user(text: str) -> Message:
    return Message("user", [Text(text)])


def test_the_last_user_turn_is_the_current_message_and_the_system_opens_the_first() -> None:
    request = Request(
        MODEL,
        [_user("Hi"), Message("assistant", [Text("Hello")]), _user("Weather?")],
        system=[Text("Be terse.")],
    )
    state = _state(request)
    current = state["currentMessage"]["userInputMessage"]
    assert (current["content"], current["modelId"], current["origin"]) == ("Weather?", MODEL, "AI_EDITOR")
    [first, answer] = state["history"]
    assert first["userInputMessage"]["content"].startswith(
        "<system_instructions>\nBe terse.\n</system_instructions>"
    )
    assert first["userInputMessage"]["content"].endswith("Hi")
    assert answer == {"assistantResponseMessage": {"content": "Hello"}}


def test_consecutive_user_turns_are_merged() -> None:
    state = _state(Request(MODEL, [_user("one"), _user("two"), Message("system", [Text("note")])]))
    assert state["history"] == []
    assert state["currentMessage"]["userInputMessage"]["content"] == "one\n\ntwo\n\nnote"


def test_a_history_that_starts_or_ends_with_the_assistant_gets_placeholder_user_turns() -> None:
    state = _state(Request(MODEL, [Message("assistant", [Text("I start")])]))
    assert state["history"][0]["userInputMessage"]["content"] == "(empty placeholder)"
    assert state["history"][1] == {"assistantResponseMessage": {"content": "I start"}}
    assert state["currentMessage"]["userInputMessage"]["content"] == "Continue."


def test_tools_go_only_on_the_current_message_and_results_on_the_next_user_turn() -> None:
    messages = [
        _user("Weather in Paris?"),
        Message("assistant", [Thinking("hmm"), ToolCall("t1", "weather", '{"city": "Paris"}')]),
        Message("user", [ToolResult("t1", [Text("18C")])]),
    ]
    state = _state(Request(MODEL, messages, tools=[WEATHER]))
    assert "userInputMessageContext" not in state["history"][0]["userInputMessage"]
    uses = state["history"][1]["assistantResponseMessage"]
    assert uses == {
        "content": "(empty placeholder)",
        "toolUses": [{"toolUseId": "t1", "name": "weather", "input": {"city": "Paris"}}],
    }
    context = state["currentMessage"]["userInputMessage"]["userInputMessageContext"]
    assert context["toolResults"] == [{"toolUseId": "t1", "content": [{"text": "18C"}], "status": "success"}]
    [spec] = context["tools"]
    assert spec["toolSpecification"]["inputSchema"]["json"] == {
        "type": "object",
        "properties": {"city": {"type": "string"}},
    }


def test_tool_choice_none_sends_no_tools() -> None:
    state = _state(Request(MODEL, [_user("Hi")], tools=[WEATHER], tool_choice=ToolChoice("none")))
    assert "userInputMessageContext" not in state["currentMessage"]["userInputMessage"]


def test_a_long_tool_description_moves_into_the_system_text() -> None:
    long = Tool("search", "x" * 12_000, {"type": "object", "properties": {}})
    current = _state(Request(MODEL, [_user("Hi")], tools=[long]))["currentMessage"]["userInputMessage"]
    [spec] = current["userInputMessageContext"]["tools"]
    assert len(spec["toolSpecification"]["description"]) < 100
    assert "Tool search: " + "x" * 12_000 in current["content"]


def test_an_oversized_body_loses_its_oldest_turns_but_keeps_the_system_text() -> None:
    big = "y" * 350_000
    messages = [
        _user(big),
        Message("assistant", [Text(big)]),
        _user("second"),
        Message("assistant", [Text("ok")]),
        _user("now"),
    ]
    body = _render(Request(MODEL, messages, system=[Text("Rules.")]))
    history = body["conversationState"]["history"]
    assert len(history) == 2
    assert "Rules." in history[0]["userInputMessage"]["content"]
    assert history[0]["userInputMessage"]["content"].endswith("second")


def test_a_current_message_over_the_limit_is_refused() -> None:
    with pytest.raises(ContextTooLong, match="limit"):
        render(Request(MODEL, [_user("z" * (BODY_LIMIT + 1))]), model=MODEL)


def test_images_go_inline_and_a_url_is_refused() -> None:
    current = _state(Request(MODEL, [Message("user", [Text("see"), Image("image/png", data="aGk=")])]))
    assert current["currentMessage"]["userInputMessage"]["images"] == [
        {"format": "png", "source": {"bytes": "aGk="}}
    ]
    with pytest.raises(InvalidRequest, match="inline only"):
        render(Request(MODEL, [Message("user", [Image(url="https://example.com/a.png")])]), model=MODEL)


def test_controls_kiro_has_no_field_for_are_dropped() -> None:
    request = Request(MODEL, [_user("Hi")], max_tokens=50, temperature=0.2, top_p=0.5, stop=["x"], seed=1)
    body = _render(request)
    assert set(body) == {"conversationState"}
    assert "inferenceConfig" not in str(body)

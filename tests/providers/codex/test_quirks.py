"""The Codex backend's body rules, applied to what the Responses renderer makes of any
client's request."""

from __future__ import annotations

from typing import Any

import pytest

from dragoman import dialects
from dragoman.dialects.state import PreviousResponseNotFound
from dragoman.ir.messages import Message, Text
from dragoman.ir.request import Request
from dragoman.ir.tools import Tool
from dragoman.providers.codex import SPEC
from dragoman.providers.codex.quirks import DEFAULT_INSTRUCTIONS, fix_request

MODEL = "gpt-5.5"


def body_for(request: Request) -> dict[str, Any]:
    rendered = dialects.get("openai_responses").request.render(request, model=MODEL, origin="codex-alice")
    return fix_request(dict(rendered), request)


def ask(*messages: Message, **fields: Any) -> Request:
    return Request(model=MODEL, messages=list(messages), **fields)


def test_instructions_come_from_the_system_text() -> None:
    body = body_for(ask(Message("user", [Text("hi")]), system=[Text("Be terse."), Text("Answer in French.")]))
    assert "Be terse." in body["instructions"] and "Answer in French." in body["instructions"]


@pytest.mark.parametrize("system", [[], [Text("   ")]])
def test_instructions_are_never_empty(system: list[Text]) -> None:
    assert body_for(ask(Message("user", [Text("hi")]), system=system))["instructions"] == DEFAULT_INSTRUCTIONS


def test_later_system_turns_become_developer_items() -> None:
    body = body_for(
        ask(
            Message("user", [Text("hi")]),
            Message("assistant", [Text("yo")]),
            Message("system", [Text("Now be formal.")]),
        )
    )
    roles = [item.get("role") for item in body["input"] if item.get("type", "message") == "message"]
    assert "system" not in roles and "developer" in roles


def test_storage_off_stream_on_and_refused_controls_dropped() -> None:
    request = ask(
        Message("user", [Text("hi")]),
        max_tokens=1000,
        temperature=0.2,
        top_p=0.9,
        stop=["END"],
        stream=False,
        source="openai_responses",
        extras={
            "store": True,
            "truncation": "auto",
            "user": "u1",
            "service_tier": "flex",
            "context_management": [{"type": "compaction"}],
        },
    )
    body = body_for(request)
    assert body["store"] is False and body["stream"] is True
    assert body["include"] == ["reasoning.encrypted_content"]
    for refused in (
        "max_output_tokens",
        "temperature",
        "top_p",
        "stop",
        "truncation",
        "user",
        "service_tier",
        "context_management",
    ):
        assert refused not in body, refused


def test_a_previous_response_id_is_refused_not_dropped() -> None:
    """The backend stores nothing (store must be false): dropping the id would answer the
    new turn without the conversation it continues."""
    request = ask(
        Message("user", [Text("and then?")]), source="openai_responses", previous_response_id="resp_1"
    )
    with pytest.raises(PreviousResponseNotFound) as caught:
        body_for(request)
    assert caught.value.param == "previous_response_id" and "resp_1" in caught.value.message


def test_priority_service_tier_is_kept() -> None:
    request = ask(
        Message("user", [Text("hi")]), source="openai_responses", extras={"service_tier": "priority"}
    )
    assert body_for(request)["service_tier"] == "priority"


def test_tool_choice_only_with_tools() -> None:
    tool = Tool(name="lookup", description="d", parameters={"type": "object", "properties": {}})
    with_tools = body_for(ask(Message("user", [Text("hi")]), tools=[tool], parallel_tool_calls=True))
    without = body_for(ask(Message("user", [Text("hi")]), parallel_tool_calls=True))
    assert with_tools["parallel_tool_calls"] is True and "parallel_tool_calls" not in without


def test_a_conversation_keeps_one_cache_key_across_turns() -> None:
    first = body_for(ask(Message("user", [Text("plan a trip")]), system=[Text("sys")]))
    later = body_for(
        ask(
            Message("user", [Text("plan a trip")]),
            Message("assistant", [Text("where to?")]),
            Message("user", [Text("Rome")]),
            system=[Text("sys")],
        )
    )
    other = body_for(ask(Message("user", [Text("write a poem")]), system=[Text("sys")]))
    assert first["prompt_cache_key"] == later["prompt_cache_key"] != other["prompt_cache_key"]


def test_the_clients_own_cache_key_is_kept() -> None:
    request = ask(
        Message("user", [Text("hi")]), source="openai_responses", extras={"prompt_cache_key": "conv-42"}
    )
    assert body_for(request)["prompt_cache_key"] == "conv-42"


def test_the_spec_streams_upstream_and_needs_a_login_not_a_key() -> None:
    assert SPEC.runtime is not None and SPEC.runtime.stream_only
    assert SPEC.oauth is not None and not SPEC.needs_key
    assert SPEC.headers["originator"] == "codex_cli_rs"

"""Whatever a client sends, parsing either succeeds or raises InvalidRequest."""

from __future__ import annotations

import contextlib
from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dragoman.dialects.openai_responses import request, response, stream
from dragoman.ir.errors import GatewayError, InvalidRequest
from dragoman.ir.events import Event as IREvent
from dragoman.ir.response import accumulate
from dragoman.sse import Event

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)
TYPES = st.sampled_from(
    [
        "message",
        "reasoning",
        "function_call",
        "function_call_output",
        "custom_tool_call",
        "custom_tool_call_output",
        "additional_tools",
        "tool_search_call",
        "tool_search_output",
        "compaction",
        "input_text",
        "output_text",
        "input_image",
        "input_file",
        "refusal",
        "summary_text",
        "function",
        "custom",
        "namespace",
        "web_search",
        "allowed_tools",
    ]
)
KEYS = [
    "type",
    "role",
    "content",
    "call_id",
    "name",
    "namespace",
    "arguments",
    "input",
    "output",
    "summary",
    "encrypted_content",
    "id",
    "tools",
    "execution",
    "text",
    "image_url",
    "file_data",
    "file_url",
    "parameters",
    "format",
    "mode",
]


def objects(depth: int = 2) -> st.SearchStrategy[dict[str, Any]]:
    value = TYPES | JSON if depth == 0 else TYPES | JSON | st.lists(objects(depth - 1), max_size=3)
    return st.dictionaries(st.sampled_from(KEYS), value, max_size=6)


BODIES = st.fixed_dictionaries(
    {"model": st.just("m") | JSON},
    optional={
        "input": st.text(max_size=5) | st.lists(objects(), max_size=4) | JSON,
        "instructions": JSON,
        "tools": st.lists(objects(), max_size=3) | JSON,
        "tool_choice": st.sampled_from(["auto", "none"]) | objects(0) | JSON,
        "reasoning": objects(0) | JSON,
        "text": st.fixed_dictionaries({"format": objects(0)}) | JSON,
        "max_output_tokens": JSON,
        "temperature": JSON,
        "metadata": JSON,
        "stream": JSON,
    },
)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(BODIES)
def test_request_parse_raises_only_invalid_request(body: dict[str, Any]) -> None:
    try:
        parsed = request.parse(body)
    except InvalidRequest:
        return
    request.render(parsed, model="m", origin="openai")  # and whatever parsed renders


@settings(max_examples=200)
@given(
    st.dictionaries(
        st.sampled_from(["status", "output", "usage", "incomplete_details", "error", "id"]),
        JSON | st.lists(objects(), max_size=3),
    )
)
def test_response_parse_never_crashes_on_odd_bodies(body: dict[str, Any]) -> None:
    try:
        response.parse(body, origin="o")
    except Exception as error:  # only the dialect's own error for a failed response
        assert body.get("status") == "failed", error


EVENT_TYPES = st.sampled_from(
    [
        "response.created",
        "response.output_item.added",
        "response.output_item.done",
        "response.content_part.added",
        "response.content_part.done",
        "response.output_text.delta",
        "response.function_call_arguments.delta",
        "response.custom_tool_call_input.delta",
        "response.reasoning_summary_text.delta",
        "response.completed",
    ]
)


@settings(max_examples=200)
@given(st.lists(st.tuples(EVENT_TYPES, objects(1), st.sampled_from([0, 1, None, "x"])), max_size=8))
def test_stream_parser_never_crashes_on_odd_events(events: list[tuple[str, dict[str, Any], Any]]) -> None:
    """And what it emits is a well-formed stream: every delta goes to a started part."""
    parser = stream.Parser("o")
    emitted: list[IREvent] = []
    for kind, payload, index in events:
        data = {**payload, "type": kind, "output_index": index, "content_index": index, "item": payload}
        emitted += parser.feed(Event(data=orjson.dumps(data).decode()))
    emitted += parser.close()
    with contextlib.suppress(GatewayError):  # the StreamError ending an unfinished stream
        accumulate(emitted)

"""The local token estimate, pinned to counts worked out by hand: four characters a
token over all text (system, messages, tool calls and declarations), rounded up, plus
four tokens per message and a flat cost per image and per document without text."""

from __future__ import annotations

from dragoman.ir.messages import Document, Image, Message, Text, Thinking, ToolCall, ToolResult
from dragoman.ir.request import Request
from dragoman.ir.tokens import DOCUMENT_TOKENS, IMAGE_TOKENS, estimate
from dragoman.ir.tools import Tool

FOX = "The quick brown fox jumps over the lazy dog."  # 44 characters


def test_a_fixed_text() -> None:
    # 44 characters: 11 tokens, and 4 for the one message.
    assert estimate(Request(model="m", messages=[Message("user", [Text(FOX)])])) == 15


def test_text_is_counted_over_the_whole_request_and_rounded_up_once() -> None:
    request = Request(
        model="m",
        system=[Text("Be terse.")],  # 9
        messages=[Message("user", [Text(FOX)]), Message("assistant", [Text("Ok.")])],  # 44 + 3
    )
    # 56 characters: 14 tokens; two messages: 8.
    assert estimate(request) == 22


def test_images_and_documents_cost_a_flat_amount_text_documents_their_text() -> None:
    message = Message(
        "user", [Image(data="x" * 10_000), Document(data="y" * 10_000), Document(text="abcd" * 5)]
    )
    assert estimate(Request(model="m", messages=[message])) == 4 + IMAGE_TOKENS + DOCUMENT_TOKENS + 5


def test_tool_calls_results_thinking_and_declarations_count() -> None:
    tool = Tool(name="get_weather", description="Weather", parameters={"type": "object"})  # 11 + 7 + 17
    messages = [
        Message("assistant", [Thinking("Why not."), ToolCall("call_1", "get_weather", '{"city":"Paris"}')]),
        Message("user", [ToolResult("call_1", [Text("18C and sunny"), Image(url="https://x/y.png")])]),
    ]
    # Characters: 8 thinking + 11 + 16 call + 13 result + 35 declaration = 83 -> 21 tokens.
    assert estimate(Request(model="m", messages=messages, tools=[tool])) == 21 + 2 * 4 + IMAGE_TOKENS


def test_nothing_costs_nothing() -> None:
    assert estimate(Request(model="m")) == 0


def test_a_tool_schema_is_sized_once_and_again_when_its_properties_change() -> None:
    def asking(properties: dict[str, object]) -> Request:
        schema = {"type": "object", "properties": properties}
        return Request(model="m", tools=[Tool("lookup_schema_cache", "Looks it up.", schema)])

    one = {"q": {"type": "string"}}
    first = estimate(asking(one))
    assert estimate(asking(dict(one))) == first  # a new dict, the same shape: remembered
    grown = {"q": {"type": "string"}, "limit_of_results": {"type": "integer", "minimum": 1}}
    assert estimate(asking(grown)) > first

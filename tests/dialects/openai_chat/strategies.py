"""Hypothesis strategies for IR values restricted to what Chat Completions can express.

Each restriction is a loss the dialect documents: Chat has one `content` and one
`reasoning_content` per assistant message, no thinking signatures, no tool-result
error flag, and it renders only its own client's extras.
"""

from __future__ import annotations

from typing import Any

import orjson
from hypothesis import strategies as st

from dragoman.ir.messages import Document, Image, Message, Part, Text, Thinking, ToolCall, ToolResult
from dragoman.ir.request import Reasoning, Request, ResponseFormat
from dragoman.ir.response import Response
from dragoman.ir.tools import Tool, ToolChoice
from dragoman.ir.usage import Usage

ORIGIN = "chat-upstream"
# orjson refuses lone surrogates, and so does every real client.
_CHARS = st.characters(exclude_categories=("Cs",))
words = st.text(_CHARS, min_size=1, max_size=12)
names = st.from_regex(r"[a-zA-Z][a-zA-Z0-9_-]{0,15}", fullmatch=True)
base64 = st.from_regex(r"[A-Za-z0-9+/]{4,16}={0,2}", fullmatch=True)
call_ids = st.from_regex(r"call_[A-Za-z0-9]{4,12}", fullmatch=True)
cache_controls = st.one_of(st.none(), st.just({"type": "ephemeral"}))
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-1000, 1000) | words,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(names, inner, max_size=3),
    max_leaves=6,
)
arguments = st.dictionaries(names, json_values, min_size=1, max_size=3).map(
    lambda value: orjson.dumps(value).decode()
)
counts = st.integers(0, 10**6)


def texts(cache: bool = True) -> st.SearchStrategy[Text]:
    return st.builds(Text, words, cache_control=cache_controls if cache else st.none())


images = st.one_of(
    st.builds(
        Image,
        media_type=st.sampled_from(["image/png", "image/jpeg"]),
        data=base64,
        detail=st.sampled_from([None, "low", "high", "auto"]),
    ),
    st.builds(Image, url=names.map(lambda name: f"https://example.com/{name}.png")),
)
documents = st.one_of(
    st.builds(
        Document, media_type=st.just("application/pdf"), data=base64, filename=names.map("{}.pdf".format)
    ),
    st.builds(Document, media_type=st.sampled_from(["audio/wav", "audio/mp3"]), data=base64),
)
tool_calls = st.builds(ToolCall, call_ids, names, arguments)


@st.composite
def assistant_turns(draw: st.DrawFn) -> list[Message]:
    """An assistant message, and the user message of its tool results when it called tools."""
    parts: list[Part] = []
    if draw(st.booleans()):
        parts.append(Thinking(draw(words)))
    parts += draw(st.lists(texts(), max_size=2))
    calls = draw(st.lists(tool_calls, max_size=3, unique_by=lambda call: call.id))
    parts += calls
    turn = [Message("assistant", parts)]
    if calls and draw(st.booleans()):
        results = [ToolResult(call.id, draw(st.lists(texts(), max_size=2)), name=call.name) for call in calls]
        turn.append(Message("user", list(results)))
    return turn


user_turns = st.lists(st.one_of(texts(), images, documents), max_size=3).map(
    lambda parts: [Message("user", list(parts))]
)
system_turns = st.lists(texts(), min_size=1, max_size=2).map(lambda parts: [Message("system", list(parts))])


@st.composite
def conversations(draw: st.DrawFn) -> list[Message]:
    messages: list[Message] = draw(user_turns)
    for turn in draw(st.lists(st.one_of(user_turns, system_turns, assistant_turns()), max_size=5)):
        messages += turn
    return messages


function_tools = st.builds(
    Tool,
    name=names,
    description=st.none() | words,
    parameters=st.none()
    | st.builds(
        lambda props: {"type": "object", "properties": props},
        st.dictionaries(names, st.just({"type": "string"}), max_size=2),
    ),
    strict=st.none() | st.booleans(),
)
native_tools = names.map(
    lambda name: Tool(name, type="native", raw={"type": "x_hosted", "name": name}, dialect="openai_chat")
)


@st.composite
def tool_choices(draw: st.DrawFn, tools: list[Tool]) -> ToolChoice | None:
    named = [tool.name for tool in tools]
    return draw(
        st.one_of(
            st.none(),
            st.sampled_from(["auto", "none", "required"]).map(ToolChoice),
            st.sampled_from(named).map(lambda name: ToolChoice("tool", name=name)),
            st.builds(
                lambda mode, allowed: ToolChoice(mode, allowed=allowed),
                st.sampled_from(["auto", "required"]),
                st.lists(st.sampled_from(named), min_size=1, max_size=3),
            ),
        )
    )


response_formats = st.one_of(
    st.none(),
    st.sampled_from(["text", "json_object"]).map(ResponseFormat),
    st.builds(
        lambda name, strict: ResponseFormat(
            "json_schema", name=name, schema={"type": "object"}, strict=strict
        ),
        names,
        st.none() | st.booleans(),
    ),
)
efforts = st.sampled_from(["none", "minimal", "low", "medium", "high", "xhigh", "max"])
floats = st.floats(0, 2, allow_nan=False)
EXTRA_FIELDS = ["logprobs", "store", "service_tier", "prompt_cache_key", "verbosity", "logit_bias"]


@st.composite
def requests(draw: st.DrawFn) -> Request:
    """A Chat client's request, as the IR holds it."""
    tools = draw(
        st.lists(st.one_of(function_tools, native_tools), max_size=3, unique_by=lambda tool: tool.name)
    )
    stream = draw(st.booleans())
    effort = draw(st.none() | efforts)
    return Request(
        model=draw(names),
        system=draw(st.lists(texts(), max_size=2)),
        messages=draw(conversations()),
        tools=tools,
        tool_choice=draw(tool_choices(tools)) if tools else None,
        parallel_tool_calls=draw(st.none() | st.booleans()) if tools else None,
        stream=stream,
        # A Chat upstream is always asked for usage when streaming.
        include_usage=stream,
        choices=draw(st.integers(1, 4)),
        max_tokens=draw(st.none() | st.integers(1, 10**6)),
        temperature=draw(st.none() | floats),
        top_p=draw(st.none() | floats),
        top_k=draw(st.none() | st.integers(1, 100)),
        stop=draw(st.lists(words, max_size=4)),
        seed=draw(st.none() | st.integers(-(2**31), 2**31)),
        presence_penalty=draw(st.none() | floats),
        frequency_penalty=draw(st.none() | floats),
        response_format=draw(response_formats),
        reasoning=None if effort is None else Reasoning(enabled=effort != "none", effort=effort),
        user=draw(st.none() | words),
        metadata=draw(st.none() | st.dictionaries(names, words, max_size=2)),
        source="openai_chat",
        extras=draw(st.dictionaries(st.sampled_from(EXTRA_FIELDS), json_values, max_size=3)),
    )


usages = st.builds(
    Usage,
    input_tokens=counts,
    output_tokens=counts,
    cache_read_tokens=counts,
    cache_write_tokens=counts,
    reasoning_tokens=counts,
)


def _stop_reason(calls: list[ToolCall]) -> st.SearchStrategy[Any]:
    # Chat folds end_turn with calls into tool_calls, and has no stop_sequence.
    return st.sampled_from(["tool_use", "max_tokens"] if calls else ["end_turn", "max_tokens", "refusal"])


@st.composite
def whole_responses(draw: st.DrawFn, model: str) -> Response:
    """A response a non-streamed Chat message can carry: reasoning, text, then calls."""
    parts: list[Part] = []
    if draw(st.booleans()):
        parts.append(Thinking(draw(words), origin=ORIGIN))
    if draw(st.booleans()):
        parts.append(Text(draw(words)))
    calls = draw(st.lists(tool_calls, max_size=3, unique_by=lambda call: call.id))
    return Response(
        id=draw(names.map(lambda name: "chatcmpl-" + name)),
        model=model,
        parts=parts + calls,
        stop_reason=draw(_stop_reason(calls)),
        usage=draw(usages),
    )


@st.composite
def streamed_responses(draw: st.DrawFn, model: str) -> Response:
    """A response a Chat stream can carry: text and reasoning alternating, then calls."""
    kinds = draw(st.lists(st.sampled_from(["text", "thinking"]), max_size=4))
    parts: list[Part] = []
    for kind in (kind for position, kind in enumerate(kinds) if position == 0 or kinds[position - 1] != kind):
        parts.append(Text(draw(words)) if kind == "text" else Thinking(draw(words), origin=ORIGIN))
    calls = draw(st.lists(tool_calls, max_size=3, unique_by=lambda call: call.id))
    return Response(
        id=draw(names.map(lambda name: "chatcmpl-" + name)),
        model=model,
        parts=parts + calls,
        stop_reason=draw(_stop_reason(calls)),
        usage=draw(usages),
    )

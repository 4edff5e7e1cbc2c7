"""Hypothesis strategies for IR values restricted to what Anthropic Messages expresses
in its canonical form (the form `request.parse` produces).

The restrictions are the dialect's documented normalisations: roles alternate starting
with the user, text is never empty, tool results come first in their turn, thinking
parts are signed and (when thinking is on) open every assistant turn, thinking excludes
temperature/top_k and forced tool choice, and documents are PDF, URL or plain text.
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

ORIGIN = "anthropic-upstream"
_CHARS = st.characters(exclude_categories=("Cs",))  # orjson refuses lone surrogates
words = st.text(_CHARS, min_size=1, max_size=12).filter(str.strip)  # the API refuses blank text
names = st.from_regex(r"[a-zA-Z][a-zA-Z0-9_-]{0,15}", fullmatch=True)
base64 = st.from_regex(r"[A-Za-z0-9+/]{4,16}", fullmatch=True)
tool_ids = st.from_regex(r"toolu_[A-Za-z0-9]{4,12}", fullmatch=True)
signatures = st.from_regex(r"[A-Za-z0-9+/]{8,24}", fullmatch=True)
cache_controls = st.one_of(
    st.none(), st.just({"type": "ephemeral"}), st.just({"type": "ephemeral", "ttl": "1h"})
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-1000, 1000) | words,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(names, inner, max_size=3),
    max_leaves=6,
)
arguments = st.dictionaries(names, json_values, max_size=3).map(lambda value: orjson.dumps(value).decode())
counts = st.integers(0, 10**6)

texts = st.builds(Text, words, cache_control=cache_controls)
images = st.one_of(
    st.builds(Image, media_type=st.sampled_from(["image/png", "image/jpeg"]), data=base64),
    st.builds(Image, url=names.map(lambda name: f"https://example.com/{name}.png")),
)
documents = st.one_of(
    st.builds(Document, media_type=st.just("application/pdf"), data=base64, title=st.none() | words),
    st.builds(Document, media_type=st.just("text/plain"), text=words, title=st.none() | words),
    st.builds(Document, url=names.map(lambda name: f"https://example.com/{name}.pdf")),
)
thinking_parts = st.one_of(
    st.builds(Thinking, text=st.just("") | words, signature=signatures),
    st.builds(Thinking, signature=signatures, redacted=st.just(True)),
)


@st.composite
def tool_results(draw: st.DrawFn, call_id: str) -> ToolResult:
    mixed = st.lists(st.one_of(texts, images, documents), max_size=3)
    content = draw(st.one_of(st.lists(texts, min_size=1, max_size=1), mixed))
    return ToolResult(call_id=call_id, content=content, is_error=draw(st.booleans()))


@st.composite
def conversations(draw: st.DrawFn, *, thinking: bool) -> list[Message]:
    """Alternating turns from the user; tool calls answered in the next user turn."""
    messages = [Message("user", draw(st.lists(st.one_of(texts, images, documents), min_size=1, max_size=3)))]
    for _ in range(draw(st.integers(0, 3))):
        parts: list[Part] = draw(st.lists(thinking_parts, min_size=int(thinking), max_size=2))
        parts += draw(st.lists(texts, max_size=2))
        calls = draw(
            st.lists(st.builds(ToolCall, tool_ids, names, arguments), max_size=2, unique_by=lambda c: c.id)
        )
        if not parts and not calls:
            parts.append(draw(texts))
        messages.append(Message("assistant", [*parts, *calls]))
        answers: list[Part] = [draw(tool_results(call.id)) for call in calls]
        extra = draw(st.lists(st.one_of(texts, images), min_size=0 if answers else 1, max_size=2))
        messages.append(Message("user", answers + extra))
    return messages


tools = st.one_of(
    st.builds(
        Tool,
        names,
        description=st.none() | words,
        parameters=st.builds(
            lambda props: {"type": "object", "properties": props},
            st.dictionaries(names, st.just({"type": "string"}), max_size=2),
        ),
        strict=st.none() | st.booleans(),
        cache_control=cache_controls,
    ),
    st.builds(
        lambda name: Tool(
            name=name,
            type="native",
            raw={"type": "web_search_20250305", "name": name, "max_uses": 3},
            dialect="anthropic",
        ),
        names,
    ),
)


@st.composite
def reasonings(draw: st.DrawFn, max_tokens: int) -> Reasoning | None:
    kind = draw(st.sampled_from(["none", "enabled", "adaptive", "disabled", "effort"]))
    effort = draw(st.sampled_from([None, "low", "medium", "high", "xhigh", "max"]))
    display = draw(st.sampled_from([None, True, False]))
    if kind == "none":
        return None
    if kind == "effort":
        return Reasoning(effort=effort or "high")
    if kind == "disabled":
        return Reasoning(enabled=False, effort=effort)
    budget = draw(st.integers(1024, max_tokens - 1)) if kind == "enabled" else None
    if kind == "enabled" and display is None:
        display = True  # what an `enabled` budget shows when the client names no display
    return Reasoning(enabled=True, effort=effort, budget_tokens=budget, include_thoughts=display)


@st.composite
def requests(draw: st.DrawFn) -> Request:
    """A request an Anthropic client could have sent, as `request.parse` reads it."""
    max_tokens = draw(st.integers(2048, 64000))
    reasoning = draw(reasonings(max_tokens))
    thinking_on = reasoning is not None and bool(reasoning.enabled)
    declared = draw(st.lists(tools, max_size=3, unique_by=lambda tool: tool.name))
    choice, parallel = draw(_tool_choices(declared, forced=not thinking_on))
    user = draw(st.none() | names)
    return Request(
        model=draw(names),
        messages=draw(conversations(thinking=thinking_on)),
        system=draw(st.lists(texts, max_size=3)),
        tools=declared,
        tool_choice=choice,
        parallel_tool_calls=parallel,
        stream=draw(st.booleans()),
        max_tokens=max_tokens,
        temperature=None if thinking_on else draw(st.none() | st.floats(0, 1)),
        top_k=None if thinking_on else draw(st.none() | st.integers(1, 500)),
        stop=draw(st.lists(words, max_size=2)),
        response_format=draw(
            st.none() | st.builds(ResponseFormat, st.just("json_schema"), schema=st.just({"type": "object"}))
        ),
        reasoning=reasoning,
        user=user,
        metadata={"user_id": user} if user else None,
        source="anthropic",
        extras=draw(st.dictionaries(st.sampled_from(["context_management", "service_tier"]), json_values)),
    )


@st.composite
def _tool_choices(
    draw: st.DrawFn, declared: list[Tool], *, forced: bool
) -> tuple[ToolChoice | None, bool | None]:
    if not declared:
        return None, None
    modes = ["auto", "none", "required", "tool"] if forced else ["auto", "none"]
    mode = draw(st.sampled_from(modes))
    choice = ToolChoice(mode, name=draw(st.sampled_from(declared)).name if mode == "tool" else None)
    parallel = None if mode == "none" else draw(st.none() | st.booleans())
    return draw(st.none() | st.just(choice)) if parallel is None else choice, parallel


def _usage(values: tuple[int, int, int, int, int]) -> Usage:
    uncached, output, read, written, reasoning = values
    return Usage(uncached + read + written, output + reasoning, read, written, reasoning)


usages = st.tuples(counts, counts, counts, counts, counts).map(_usage)
response_parts = st.lists(
    st.one_of(
        st.builds(Text, st.just("") | words),
        st.builds(ToolCall, tool_ids, names, arguments),
        st.builds(Thinking, text=st.just("") | words, signature=signatures),
        st.builds(Thinking, signature=signatures, redacted=st.just(True)),
    ),
    max_size=5,
)
stop_reasons = st.sampled_from(
    ["end_turn", "stop_sequence", "max_tokens", "tool_use", "refusal", "pause_turn", "context_window"]
)


@st.composite
def responses(draw: st.DrawFn) -> Response:
    parts = draw(response_parts)
    while parts and isinstance(parts[-1], Thinking) and not all(isinstance(p, Thinking) for p in parts):
        parts.pop()  # an Anthropic message never ends with thinking after what it said
    reason = draw(stop_reasons)
    if any(isinstance(part, ToolCall) for part in parts) and reason == "end_turn":
        reason = "tool_use"  # the dialect reports a tool turn as such
    return Response(
        id=draw(tool_ids.map(lambda value: "msg_" + value[6:])),
        model=draw(names),
        parts=parts,
        stop_reason=reason,
        stop_sequence=draw(words) if reason == "stop_sequence" else None,
        usage=draw(usages),
    )


def stamped(response: Response, origin: str) -> Response:
    """`response` as a parser with that origin returns it: thinking parts stamped."""
    parts: list[Any] = [
        Thinking(part.text, part.signature, part.redacted, part.id, origin)
        if isinstance(part, Thinking)
        else part
        for part in response.parts
    ]
    return Response(
        response.id, response.model, parts, response.stop_reason, response.stop_sequence, response.usage
    )

"""Hypothesis strategies for IR values restricted to what Gemini expresses, in the
canonical form `request.parse` / `stream.Parser` produce.

The restrictions are the dialect's documented normalisations: roles alternate
starting with the user (Gemini merges same-role turns), text is never empty, a
signature-only thinking part is followed by the text or call that carried it, no
two text or thought parts touch (the parser grows one part from fragments), tool
results are a single text answering a call of the previous turn, and system text
only leads the conversation.
"""

from __future__ import annotations

from base64 import b64encode
from typing import Any

import orjson
from hypothesis import strategies as st

from dragoman.ir.messages import Document, Image, Message, Part, Text, Thinking, ToolCall, ToolResult
from dragoman.ir.request import Reasoning, Request, ResponseFormat
from dragoman.ir.response import Response
from dragoman.ir.tools import Tool, ToolChoice
from dragoman.ir.usage import Usage

ORIGIN = "gemini-upstream"
_CHARS = st.characters(exclude_categories=("Cs",))  # orjson refuses lone surrogates
words = st.text(_CHARS, min_size=1, max_size=12).filter(lambda text: not text.startswith("{"))
names = st.from_regex(r"[a-zA-Z_][a-zA-Z0-9_]{0,15}", fullmatch=True)
base64 = st.from_regex(r"[A-Za-z0-9+/]{4,16}", fullmatch=True)
call_ids = st.from_regex(r"[a-z]{2,8}_[0-9]{1,6}", fullmatch=True)
# Real signatures are base64 bytes; the fake upstream checks they decode.
signatures = st.binary(min_size=6, max_size=18).map(lambda raw: b64encode(raw).decode())
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-1000, 1000) | words,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(names, inner, max_size=3),
    max_leaves=6,
)
arguments = st.dictionaries(names, json_values, max_size=3).map(lambda value: orjson.dumps(value).decode())
counts = st.integers(0, 10**6)

texts = st.builds(Text, words)
images = st.builds(Image, media_type=st.sampled_from(["image/png", "image/webp"]), data=base64)
documents = st.builds(Document, media_type=st.sampled_from(["application/pdf", "audio/mp3"]), data=base64)
calls = st.builds(ToolCall, call_ids, names, arguments)


@st.composite
def model_parts(draw: st.DrawFn, *, origin: str | None) -> list[Part]:
    """Parts of a model turn: no two texts or thoughts touch, signatures sit before a part."""
    parts: list[Part] = []
    for kind in draw(
        st.lists(st.sampled_from(["text", "thought", "signed", "call"]), min_size=1, max_size=5)
    ):
        previous = parts[-1].kind if parts else None
        if kind == "text" and previous != "text":
            parts.append(draw(texts))
        elif kind == "thought" and previous != "thinking":
            parts.append(Thinking(draw(words), signature=draw(st.none() | signatures), origin=origin))
        elif kind == "signed" and previous != "thinking":
            # A bare signature travels on the part after it: a text or a call.
            parts.append(Thinking("", signature=draw(signatures), origin=origin))
            parts.append(draw(st.one_of(texts, calls)))
        elif kind == "call":
            parts.append(draw(calls))
    return parts


@st.composite
def conversations(draw: st.DrawFn) -> list[Message]:
    """Alternating turns from the user; calls answered in the next user turn, by id."""
    messages = [Message("user", draw(st.lists(st.one_of(texts, images, documents), min_size=1, max_size=3)))]
    for _ in range(draw(st.integers(0, 3))):
        parts = draw(model_parts(origin=None))
        made = [part for part in parts if isinstance(part, ToolCall)]
        if len({call.id for call in made}) < len(made):
            break
        messages.append(Message("assistant", parts))
        answers: list[Part] = [
            ToolResult(call.id, [draw(texts)], is_error=draw(st.booleans()), name=call.name) for call in made
        ]
        extra = draw(st.lists(st.one_of(texts, images), min_size=0 if answers else 1, max_size=2))
        messages.append(Message("user", answers + extra))
    return messages


_PROPERTY_SCHEMAS = st.sampled_from(
    [
        {"type": "string"},
        {"type": "integer", "description": "how many"},
        {"type": "number", "minimum": 0},
        {"type": "boolean"},
        {"type": "string", "enum": ["a", "b"]},
        {"type": "array", "items": {"type": "string"}},
        {"type": "object", "properties": {"x": {"type": "string"}}, "required": ["x"]},
        {"type": "object", "description": "free-form", "additionalProperties": True},
    ]
)


@st.composite
def parameter_schemas(draw: st.DrawFn) -> dict[str, Any] | None:
    properties = draw(st.dictionaries(names, _PROPERTY_SCHEMAS, max_size=3))
    if not properties:
        return None  # Gemini takes no schema at all for a function without parameters
    required = draw(st.lists(st.sampled_from(sorted(properties)), unique=True))
    return {"type": "object", "properties": properties, **({"required": required} if required else {})}


tools = st.builds(Tool, names, description=st.none() | words, parameters=parameter_schemas())
native_tools = st.sampled_from(["googleSearch", "codeExecution", "urlContext"]).map(
    lambda name: Tool(name=name, type="native", raw={name: {}}, dialect="gemini")
)


@st.composite
def tool_choices(draw: st.DrawFn, declared: list[Tool]) -> ToolChoice | None:
    functions = [tool.name for tool in declared if tool.type == "function"]
    if not functions:
        return None
    mode = draw(st.sampled_from(["auto", "none", "required", "tool", "allowed"]))
    if mode == "tool":
        return ToolChoice("tool", name=draw(st.sampled_from(functions)))
    if mode == "allowed":
        allowed = (
            draw(st.lists(st.sampled_from(functions), min_size=2, unique=True)) if len(functions) > 1 else []
        )
        return ToolChoice("required", allowed=allowed)
    return draw(st.none() | st.just(ToolChoice(mode)))  # type: ignore[arg-type]


@st.composite
def reasonings(draw: st.DrawFn, gemini_3: bool) -> Reasoning | None:
    include = draw(st.sampled_from([None, True, False]))
    if gemini_3:
        effort = draw(st.sampled_from(["minimal", "low", "medium", "high"]))
        return draw(st.none() | st.just(Reasoning(enabled=True, effort=effort, include_thoughts=include)))
    return draw(
        st.none()
        | st.just(Reasoning(enabled=False, include_thoughts=include))
        | st.just(Reasoning(enabled=True, include_thoughts=include))
        | st.integers(1, 32768).map(
            lambda n: Reasoning(enabled=True, budget_tokens=n, include_thoughts=include)
        )
    )


response_formats = st.one_of(
    st.none(),
    st.just(ResponseFormat("json_object")),
    st.builds(lambda schema: ResponseFormat("json_schema", schema=schema), parameter_schemas().filter(bool)),
)
extras = st.fixed_dictionaries(
    {},
    optional={
        "safetySettings": st.just([{"category": "HARM_CATEGORY_HATE_SPEECH", "threshold": "BLOCK_NONE"}]),
        "cachedContent": names.map(lambda name: f"cachedContents/{name}"),
        "generationConfig": st.just({"responseModalities": ["TEXT"]}),
    },
)
floats = st.floats(0, 2, allow_nan=False).map(lambda value: round(value, 3))


@st.composite
def requests(draw: st.DrawFn) -> Request:
    """A request a Gemini client could have sent, as `request.parse` reads it."""
    model = draw(st.sampled_from(["gemini-2.5-flash", "gemini-3-pro-preview"]))
    declared = draw(st.lists(st.one_of(tools, native_tools), max_size=3, unique_by=lambda tool: tool.name))
    declared.sort(key=lambda tool: tool.type == "native")  # declarations go out before native tools
    return Request(
        model=model,
        messages=draw(conversations()),
        system=draw(st.lists(texts, max_size=2)),
        tools=declared,
        tool_choice=draw(tool_choices(declared)),
        stream=draw(st.booleans()),
        choices=draw(st.integers(1, 4)),
        max_tokens=draw(st.none() | st.integers(1, 65536)),
        temperature=draw(st.none() | floats),
        top_p=draw(st.none() | floats),
        top_k=draw(st.none() | st.integers(1, 100)),
        stop=draw(st.lists(words, max_size=5)),
        seed=draw(st.none() | st.integers(0, 2**31)),
        presence_penalty=draw(st.none() | floats.filter(bool)),
        frequency_penalty=draw(st.none() | floats.filter(bool)),
        response_format=draw(response_formats),
        reasoning=draw(reasonings(model.startswith("gemini-3"))),
        source="gemini",
        extras=draw(extras),
    )


def _usage(values: tuple[int, int, int, int]) -> Usage:
    uncached, output, read, reasoning = values
    return Usage(uncached + read, output + reasoning, read, 0, reasoning)


usages = st.tuples(counts, counts, counts, counts).map(_usage)
stop_reasons = st.sampled_from(["end_turn", "max_tokens", "refusal", "error"])


@st.composite
def responses(draw: st.DrawFn) -> Response:
    """An answer Gemini can carry: ids on calls, no stop sequences, no cache writes."""
    parts = draw(model_parts(origin=None))
    made = [part.id for part in parts if isinstance(part, ToolCall)]
    reason = "tool_use" if made else draw(stop_reasons)
    return Response(
        id=draw(names),
        model="asked-for",
        parts=parts,
        stop_reason=reason,
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

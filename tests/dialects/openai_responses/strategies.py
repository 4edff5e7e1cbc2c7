"""Hypothesis strategies for IR values in the canonical shape a Responses round trip keeps.

Responses merges assistant-side items into one turn and joins all system text into
`instructions`, so these generate IR already in that shape: a lone system text,
conversations opening with a user turn, no two assistant turns in a row, and
tool-result turns holding only results.
"""

from __future__ import annotations

import string

import orjson
from hypothesis import strategies as st

from dragoman.ir import (
    Document,
    Image,
    Message,
    Reasoning,
    Request,
    Response,
    ResponseFormat,
    Text,
    Thinking,
    Tool,
    ToolCall,
    ToolChoice,
    ToolResult,
    Usage,
)

NAME = st.text(alphabet=string.ascii_letters + string.digits + "_", min_size=1, max_size=12)
TEXT = st.text(max_size=30)
WORDS = st.text(min_size=1, max_size=30)
B64 = st.text(alphabet=string.ascii_letters + string.digits + "+/", min_size=4, max_size=24)
SIGNATURE = st.text(alphabet=string.ascii_letters + string.digits + "+/=_", min_size=1, max_size=40)
ARGS = st.dictionaries(NAME, st.integers(-(10**9), 10**9) | TEXT | st.booleans(), max_size=3).map(
    lambda d: orjson.dumps(d).decode()
)

FUNCTION_TOOLS = [
    Tool(name="get_weather", description="Weather", parameters={"type": "object", "properties": {}}),
    Tool(
        name="exec_command",
        parameters={"type": "object", "properties": {"cmd": {"type": "string"}}},
        strict=False,
    ),
]
CUSTOM_TOOL = Tool(name="apply_patch", description="Patch files", type="custom", format={"type": "text"})
NATIVE_TOOL = Tool(name="web_search", type="native", raw={"type": "web_search"}, dialect="openai_responses")
TOOL_SEARCH = Tool(
    name="tool_search",
    type="native",
    raw={"type": "tool_search", "execution": "client", "parameters": {"type": "object"}},
    dialect="openai_responses",
)
LOADED_TOOLS = orjson.dumps(
    [{"type": "namespace", "name": "mcp__x", "description": "", "tools": []}]
).decode()


def images() -> st.SearchStrategy[Image]:
    inline = st.builds(Image, media_type=st.sampled_from(["image/png", "image/jpeg"]), data=B64)
    linked = st.builds(Image, url=NAME.map(lambda n: f"https://example.com/{n}.png"))
    detail = st.sampled_from(["auto", "low", "high"])
    return st.tuples(inline | linked, detail).map(lambda pair: _with_detail(*pair))


def _with_detail(image: Image, detail: str) -> Image:
    image.detail = detail
    return image


def documents() -> st.SearchStrategy[Document]:
    inline = st.builds(
        Document, media_type=st.just("application/pdf"), data=B64, filename=NAME.map(lambda n: f"{n}.pdf")
    )
    linked = st.builds(Document, url=NAME.map(lambda n: f"https://example.com/{n}.pdf"))
    return inline | linked


def thinking(*, origin: str | None = None) -> st.SearchStrategy[Thinking]:
    ids = NAME.map(lambda n: f"rs_{n}")
    return st.builds(Thinking, text=TEXT, signature=SIGNATURE, id=ids, origin=st.just(origin))


def calls() -> st.SearchStrategy[ToolCall]:
    ids = NAME.map(lambda n: f"call_{n}")
    function = st.builds(
        ToolCall, id=ids, name=st.sampled_from([t.name for t in FUNCTION_TOOLS]), arguments=ARGS
    )
    custom = st.builds(ToolCall, id=ids, name=st.just(CUSTOM_TOOL.name), arguments=TEXT.map(_custom_args))
    search = st.builds(ToolCall, id=ids, name=st.just(TOOL_SEARCH.name), arguments=ARGS)
    return function | custom | search


def _custom_args(text: str) -> str:
    return orjson.dumps({"input": text}).decode()


@st.composite
def conversations(draw: st.DrawFn) -> list[Message]:
    """user, then turns in an order a Responses `input` can express unambiguously."""
    messages = [
        Message("user", draw(st.lists(WORDS.map(Text) | images() | documents(), min_size=1, max_size=3)))
    ]
    for _ in range(draw(st.integers(0, 4))):
        previous = messages[-1]
        choices = ["user", "system"]
        if previous.role != "assistant":
            choices.append("assistant")
        role = draw(st.sampled_from(choices))
        if role == "assistant":
            parts = draw(st.lists(WORDS.map(Text) | thinking() | calls(), min_size=1, max_size=4))
            for position, part in enumerate(parts):
                if isinstance(part, ToolCall):  # unique ids, so results link to one call
                    part.id = f"call_{len(messages)}_{position}"
            messages.append(Message("assistant", parts))
            results = [_result(draw, call) for call in parts if isinstance(call, ToolCall)]
            if results:
                messages.append(Message("user", results))
        elif role == "system":
            messages.append(Message("system", draw(st.lists(WORDS.map(Text), min_size=1, max_size=2))))
        else:
            messages.append(
                Message("user", draw(st.lists(WORDS.map(Text) | images(), min_size=1, max_size=2)))
            )
    return messages


def _result(draw: st.DrawFn, call: ToolCall) -> ToolResult:
    if call.name == TOOL_SEARCH.name:  # its output is the loaded tool definitions
        return ToolResult(call_id=call.id, content=[Text(LOADED_TOOLS)], name=call.name)
    content = draw(
        st.lists(WORDS.map(Text), min_size=1, max_size=1)
        | st.lists(WORDS.map(Text) | images(), min_size=2, max_size=3)
    )
    return ToolResult(call_id=call.id, content=content, name=call.name)


@st.composite
def requests(draw: st.DrawFn) -> Request:
    tools = [*FUNCTION_TOOLS, CUSTOM_TOOL, TOOL_SEARCH, *draw(st.lists(st.just(NATIVE_TOOL), max_size=1))]
    store = draw(st.booleans())
    extras: dict = {"store": store, "prompt_cache_key": draw(NAME)}
    if not store:
        extras["include"] = ["reasoning.encrypted_content"]
    if draw(st.booleans()):
        extras["text"] = {"verbosity": draw(st.sampled_from(["low", "medium", "high"]))}
    reasoning = draw(st.none() | reasoning_settings())
    if reasoning is not None and draw(st.booleans()):
        extras["reasoning"] = {"context": "all_turns"}
    return Request(
        model=draw(NAME),
        messages=draw(conversations()),
        system=draw(st.lists(WORDS.map(Text), max_size=1)),
        tools=tools,
        tool_choice=draw(st.none() | tool_choices()),
        parallel_tool_calls=draw(st.none() | st.booleans()),
        stream=draw(st.booleans()),
        include_usage=True,
        max_tokens=draw(st.none() | st.integers(1, 100_000)),
        temperature=draw(st.none() | st.floats(0, 2)),
        top_p=draw(st.none() | st.floats(0, 1)),
        response_format=draw(st.none() | formats()),
        reasoning=reasoning,
        user=draw(st.none() | NAME),
        metadata=draw(st.none() | st.dictionaries(NAME, TEXT, min_size=1, max_size=3)),
        source="openai_responses",
        extras=extras,
    )


@st.composite
def reasoning_settings(draw: st.DrawFn) -> Reasoning:
    effort = draw(st.none() | st.sampled_from(["none", "minimal", "low", "medium", "high", "xhigh"]))
    summary = draw(
        st.sampled_from(["auto", "concise", "detailed"])
        if effort is None
        else st.none() | st.sampled_from(["auto", "concise"])
    )
    return Reasoning(
        enabled=None if effort is None else effort != "none",
        effort=effort,
        summary=summary,
        include_thoughts=None if summary is None else True,
    )


def tool_choices() -> st.SearchStrategy[ToolChoice]:
    names = st.sampled_from([t.name for t in FUNCTION_TOOLS] + [CUSTOM_TOOL.name])
    return (
        st.sampled_from(["auto", "none", "required"]).map(lambda mode: ToolChoice(mode=mode))
        | names.map(lambda name: ToolChoice(mode="tool", name=name))
        | st.builds(
            ToolChoice,
            mode=st.sampled_from(["auto", "required"]),
            allowed=st.lists(names, min_size=1, max_size=2),
        )
    )


def formats() -> st.SearchStrategy[ResponseFormat]:
    schema = st.just({"type": "object", "properties": {"a": {"type": "string"}}})
    return st.builds(ResponseFormat, type=st.sampled_from(["text", "json_object"])) | st.builds(
        ResponseFormat,
        type=st.just("json_schema"),
        name=NAME,
        schema=schema,
        strict=st.none() | st.booleans(),
    )


@st.composite
def responses(draw: st.DrawFn) -> Response:
    """An answer as any upstream could give it; thinking has no origin yet."""
    parts = draw(st.lists(TEXT.map(Text) | thinking() | calls() | unsigned_thinking(), max_size=5))
    has_calls = any(isinstance(part, ToolCall) for part in parts)
    reasons = ["tool_use", "max_tokens"] if has_calls else ["end_turn", "max_tokens", "refusal"]
    usage = st.builds(Usage, *(st.integers(0, 10**6) for _ in range(5)))
    return Response(
        id=draw(NAME.map(lambda n: f"resp_{n}")),
        model=draw(NAME),
        parts=parts,
        stop_reason=draw(st.sampled_from(reasons)),
        usage=draw(usage),
    )


def unsigned_thinking() -> st.SearchStrategy[Thinking]:
    return st.builds(Thinking, text=TEXT, id=NAME.map(lambda n: f"rs_{n}"))


def stamped(response: Response, origin: str) -> Response:
    """`response` as an upstream parser reports it: its thinking stamped with `origin`."""
    for part in response.parts:
        if isinstance(part, Thinking):
            part.origin = origin
    return response


def answering_request() -> Request:
    """The request the generated responses answer (it declares the custom tool)."""
    return Request(model="m", tools=[*FUNCTION_TOOLS, CUSTOM_TOOL, TOOL_SEARCH], source="openai_responses")

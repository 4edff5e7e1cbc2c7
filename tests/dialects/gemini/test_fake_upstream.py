"""The parsers read what the fake Gemini upstream (tests/fakes) answers, whole and streamed.

The fake renders scripted replies the way generativelanguage.googleapis.com does
(signatures on the first call or a trailing empty part, usage on every chunk, CRLF
framing); whole and streamed answers must fold to the same response.
"""

from __future__ import annotations

import itertools

import orjson
import pytest

from dragoman import sse
from dragoman.dialects.gemini import response, stream
from dragoman.ir import Text, Thinking, ToolCall, Usage
from dragoman.ir.response import Response, accumulate
from tests.fakes.gemini_render import Rendering
from tests.fakes.script import Call, Reply
from tests.fakes.script import Usage as ScriptUsage

ORIGIN = "gemini-fake"
BODY = {"contents": [], "generationConfig": {"thinkingConfig": {"includeThoughts": True}}}
SIGNATURE = "c2lnbmF0dXJl"


def rendered(reply: Reply, model: str) -> Rendering:
    return Rendering(BODY, model, reply, lambda: SIGNATURE)


def streamed(rendering: Rendering) -> Response:
    wire = b"".join(b"data: " + orjson.dumps(chunk) + b"\r\n\r\n" for chunk in rendering.chunks())
    decoder, parser = sse.Decoder(), stream.Parser(ORIGIN)
    events = [ir for event in decoder.feed(wire) + decoder.flush() for ir in parser.feed(event)]
    return accumulate(events + parser.close())


def comparable(parsed: Response) -> tuple[Response, list[str | None]]:
    """The answer less what may differ between its whole and streamed forms: call ids the
    fake does not send (minted by each parse), and where a bare signature sits (a whole
    answer carries it on the text, a stream on a last empty part)."""
    counter = itertools.count()
    for part in parsed.parts:
        if isinstance(part, ToolCall) and part.id.startswith("call_"):
            part.id = f"minted_{next(counter)}"
    bare = [p for p in parsed.parts if isinstance(p, Thinking) and not p.text]
    parsed.parts = [p for p in parsed.parts if p not in bare]
    parsed.id = ""
    return parsed, [p.signature for p in bare]


REPLIES = {
    "text": (Reply(text="Hello there, friend"), "gemini-2.5-flash"),
    "thinking then text": (Reply(text="Forty-two", thinking="Let me compute"), "gemini-2.5-flash"),
    "gemini 3 tool calls": (
        Reply(
            tool_calls=[Call("read", {"p": "a"}), Call("ls", {}, id="fc_1")], usage=ScriptUsage(reasoning=3)
        ),
        "gemini-3-pro-preview",
    ),
    "max tokens": (Reply(text="cut", stop="max_tokens"), "gemini-2.5-flash"),
    "refusal": (Reply(stop="refusal"), "gemini-2.5-flash"),
}


@pytest.mark.parametrize("name", REPLIES)
def test_whole_and_streamed_answers_agree(name: str) -> None:
    reply, model = REPLIES[name]
    rendering = rendered(reply, model)
    whole = response.parse(rendering.whole(), origin=ORIGIN)
    assert comparable(streamed(rendering)) == comparable(whole)
    assert whole.model == model


def test_thinking_then_text() -> None:
    reply, model = REPLIES["thinking then text"]
    parsed = streamed(rendered(reply, model))
    assert parsed.parts == [
        Thinking("Let me compute", origin=ORIGIN),
        Text("Forty-two"),
        Thinking(signature=SIGNATURE, origin=ORIGIN),
    ]
    assert parsed.stop_reason == "end_turn"


def test_gemini_3_tool_calls() -> None:
    reply, model = REPLIES["gemini 3 tool calls"]
    parsed = response.parse(rendered(reply, model).whole(), origin=ORIGIN)
    signature, first, second = parsed.parts
    assert signature == Thinking(signature=SIGNATURE, origin=ORIGIN)
    assert isinstance(first, ToolCall) and (first.name, first.arguments) == ("read", '{"p":"a"}')
    assert second == ToolCall("fc_1", "ls", "{}")
    assert parsed.stop_reason == "tool_use"
    assert parsed.usage == Usage(input_tokens=10, output_tokens=5, reasoning_tokens=3)


@pytest.mark.parametrize(("name", "reason"), [("max tokens", "max_tokens"), ("refusal", "refusal")])
def test_stop_reasons(name: str, reason: str) -> None:
    reply, model = REPLIES[name]
    assert streamed(rendered(reply, model)).stop_reason == reason

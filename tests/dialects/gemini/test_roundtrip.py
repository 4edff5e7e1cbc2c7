"""Round trips through the dialect: what Gemini can express survives render then parse."""

from __future__ import annotations

import copy
import itertools

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from dragoman import sse
from dragoman.dialects.gemini import request, response, stream
from dragoman.dialects.gemini.request import SKIP_SIGNATURE
from dragoman.ir.messages import Message, Thinking
from dragoman.ir.request import Request
from dragoman.ir.response import Response, accumulate, replay
from tests.dialects.gemini.strategies import ORIGIN, requests, responses, stamped
from tests.fakes.gemini_validate import validate


def without_placeholders(messages: list[Message]) -> list[Message]:
    """The messages less the placeholder signatures rendering adds to unsigned calls."""
    return [
        Message(
            m.role, [p for p in m.parts if not (isinstance(p, Thinking) and p.signature == SKIP_SIGNATURE)]
        )
        for m in messages
    ]


@settings(max_examples=150, deadline=None)
@given(requests())
def test_request_render_then_parse_gives_the_request_back(original: Request) -> None:
    expected = copy.deepcopy(original)
    body = orjson.loads(orjson.dumps(request.render(original, model=original.model, origin=ORIGIN)))
    parsed = request.parse(body, model=original.model, stream=original.stream)
    parsed.messages = without_placeholders(parsed.messages)
    assert parsed == expected


@settings(max_examples=150, deadline=None)
@given(requests())
def test_every_rendered_model_turn_with_calls_is_signed(original: Request) -> None:
    body = request.render(original, model=original.model, origin=ORIGIN)
    for content in body["contents"]:
        calls = [part for part in content["parts"] if "functionCall" in part]
        if content["role"] == "model" and calls:
            assert calls[0].get("thoughtSignature")
        assert content["role"] in ("user", "model")
    roles = [content["role"] for content in body["contents"]]
    assert all(a != b for a, b in itertools.pairwise(roles))


@settings(max_examples=150, deadline=None)
@given(requests())
def test_rendered_requests_pass_the_api_rules(original: Request) -> None:
    body = request.render(original, model=original.model, origin=ORIGIN)
    issued = {
        part.signature
        for message in original.messages
        for part in message.parts
        if isinstance(part, Thinking) and part.signature
    }
    validate(orjson.loads(orjson.dumps(body)), original.model, issued)


@settings(max_examples=150, deadline=None)
@given(responses())
def test_response_render_then_parse_gives_the_response_back(original: Response) -> None:
    body = orjson.loads(orjson.dumps(response.render(original, Request(model="asked-for"))))
    assert response.parse(body, origin=ORIGIN) == stamped(original, ORIGIN)


@settings(max_examples=150, deadline=None)
@given(responses(), st.data())
def test_stream_render_then_parse_accumulates_to_the_response(
    original: Response, data: st.DataObject
) -> None:
    renderer = stream.Renderer(Request(model="asked-for"))
    wire = b"".join(renderer.render(event) + renderer.keepalive() for event in replay(original))
    cut = data.draw(st.integers(0, len(wire)))  # bytes arrive in arbitrary pieces
    decoder, parser = sse.Decoder(), stream.Parser(ORIGIN)
    events = decoder.feed(wire[:cut]) + decoder.feed(wire[cut:]) + decoder.flush()
    ir_events = [ir for event in events for ir in parser.feed(event)] + parser.close()
    assert accumulate(ir_events) == stamped(original, ORIGIN)

"""Round trips through the dialect: what Anthropic can express survives render then parse."""

from __future__ import annotations

import copy

from hypothesis import given, settings

from dragoman import sse
from dragoman.dialects.anthropic import request, response, stream
from dragoman.ir.request import Request, link_tool_results
from dragoman.ir.response import Response, accumulate, replay
from tests.dialects.anthropic.strategies import ORIGIN, requests, responses, stamped
from tests.fakes.anthropic_validate import Check, validate


@settings(max_examples=150, deadline=None)
@given(requests())
def test_request_render_then_parse_gives_the_request_back(original: Request) -> None:
    expected = copy.deepcopy(original)
    link_tool_results(expected.messages)  # the parser names results after their calls
    body = request.render(original, model=original.model, origin=ORIGIN)
    assert request.parse(body) == expected


@settings(max_examples=150, deadline=None)
@given(requests())
def test_rendered_requests_pass_the_api_rules(original: Request) -> None:
    body = request.render(original, model=original.model, origin=ORIGIN)
    body.pop("service_tier", None)  # extras: arbitrary values the fake would judge
    body.pop("context_management", None)
    signatures = {
        block.get("signature") or block.get("data")
        for message in body["messages"]
        for block in message["content"]
        if isinstance(block, dict) and block["type"] in ("thinking", "redacted_thinking")
    }
    validate(Check(body=body, betas=[], signatures=signatures))


@settings(max_examples=150, deadline=None)
@given(responses())
def test_response_render_then_parse_gives_the_response_back(original: Response) -> None:
    body = response.render(original, Request(model="asked-for"))
    assert response.parse(body, origin=ORIGIN) == stamped(original, ORIGIN)


@settings(max_examples=150, deadline=None)
@given(responses())
def test_stream_render_then_parse_accumulates_to_the_response(original: Response) -> None:
    renderer = stream.Renderer(Request(model="asked-for"))
    wire = b"".join(renderer.render(event) for event in replay(original))
    decoder, parser = sse.Decoder(), stream.Parser(ORIGIN)
    events = [ir for event in decoder.feed(wire) + decoder.flush() for ir in parser.feed(event)]
    events += parser.close()
    assert accumulate(events) == stamped(original, ORIGIN)

"""Round trips through the wire: what Chat can express comes back as the same IR."""

from __future__ import annotations

from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from dragoman import sse
from dragoman.dialects.openai_chat import request as chat_request
from dragoman.dialects.openai_chat import response as chat_response
from dragoman.dialects.openai_chat import stream as chat_stream
from dragoman.ir.events import Event
from dragoman.ir.request import Request
from dragoman.ir.response import Response, accumulate, replay
from tests.dialects.openai_chat.strategies import ORIGIN, requests, streamed_responses, whole_responses


def _wire(body: Any) -> Any:
    """Through JSON bytes and back, as on the network."""
    return orjson.loads(orjson.dumps(body))


@settings(max_examples=150)
@given(requests())
def test_request_render_then_parse_is_identity(request: Request) -> None:
    body = chat_request.render(request, model=request.model, origin=ORIGIN)
    assert chat_request.parse(_wire(body)) == request


@given(requests())
def test_rendered_request_is_stable(request: Request) -> None:
    """Parsing a rendered body and rendering it again gives the same bytes."""
    body = _wire(chat_request.render(request, model=request.model, origin=ORIGIN))
    again = chat_request.render(chat_request.parse(body), model=request.model, origin=ORIGIN)
    assert _wire(again) == body


@given(st.data())
def test_response_render_then_parse_is_identity(data: st.DataObject) -> None:
    client = Request(model="client-model")
    response = data.draw(whole_responses(client.model))
    body = chat_response.render(response, client)
    assert chat_response.parse(_wire(body), origin=ORIGIN) == response


def stream_bytes(response: Response, client: Request, split: int = 0) -> list[bytes]:
    renderer = chat_stream.Renderer(client)
    data = b"".join(renderer.render(event) for event in replay(response))
    if not split:
        return [data]
    return [data[start : start + split] for start in range(0, len(data), split)]


def parse_stream(pieces: list[bytes]) -> list[Event]:
    decoder, parser = sse.Decoder(), chat_stream.Parser(ORIGIN)
    events: list[Event] = []
    for piece in pieces:
        for event in decoder.feed(piece):
            events += parser.feed(event)
    for event in decoder.flush():
        events += parser.feed(event)
    return events + parser.close()


@settings(max_examples=150)
@given(st.data(), st.integers(0, 40))
def test_stream_render_then_parse_accumulates_to_the_response(data: st.DataObject, split: int) -> None:
    client = Request(model="client-model", stream=True, include_usage=True)
    response = data.draw(streamed_responses(client.model))
    assert accumulate(parse_stream(stream_bytes(response, client, split))) == response


@given(st.data())
def test_whole_and_streamed_answers_agree(data: st.DataObject) -> None:
    """The same response drawn both ways reads back the same."""
    client = Request(model="client-model", stream=True, include_usage=True)
    response = data.draw(whole_responses(client.model))
    streamed = accumulate(parse_stream(stream_bytes(response, client)))
    whole = chat_response.parse(_wire(chat_response.render(response, client)), origin=ORIGIN)
    assert streamed == whole == response

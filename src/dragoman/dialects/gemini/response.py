"""GenerateContentResponse <-> ir.Response.

A whole answer is read as a stream of one chunk (`stream.Parser`) folded with
`ir.response.accumulate`, so both paths read parts the same way. A prompt blocked
by `promptFeedback.blockReason` is a refusal with no parts.
"""

from __future__ import annotations

from typing import Any

import orjson

from dragoman.dialects.gemini import wire
from dragoman.dialects.gemini.content import render_parts
from dragoman.dialects.gemini.outcome import FINISH_REASONS, render_usage
from dragoman.dialects.gemini.parts import encode_signature
from dragoman.dialects.gemini.stream import Parser
from dragoman.ir.errors import UpstreamError
from dragoman.ir.ids import new_id
from dragoman.ir.request import Request
from dragoman.ir.response import Response, accumulate


def parse(body: Any, *, origin: str) -> Response:
    """An upstream's whole answer (a decoded object, or its JSON bytes)."""
    if isinstance(body, bytes | str):
        try:
            body = orjson.loads(body)
        except orjson.JSONDecodeError:
            raise UpstreamError("Gemini sent an answer that is not JSON") from None
    parser = Parser(origin)
    return accumulate([*parser.chunk(body), *parser.close()])


def render(response: Response, request: Request) -> wire.GenerateContentResponse:
    """The answer a Gemini client receives."""
    # The candidates the client asked for (`candidateCount`), each with its own finish.
    answers = [response, *response.alternatives][: max(1, request.choices)]
    return {
        "candidates": [_candidate(number, answer) for number, answer in enumerate(answers)],
        "usageMetadata": render_usage(response.usage),
        "modelVersion": request.model,
        "responseId": response.id or new_id("resp_"),
    }


def _candidate(number: int, answer: Response) -> wire.Candidate:
    return {
        "content": {"role": "model", "parts": render_parts(answer.parts, encode_signature)},
        "finishReason": FINISH_REASONS.get(answer.stop_reason or "end_turn", "STOP"),
        "index": number,
    }

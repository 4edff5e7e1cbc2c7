"""Several choices for one request: Chat's `n`, Gemini's `candidateCount`.

Chat and Gemini upstreams are asked for them and every choice comes back to a Chat or
Gemini client, whole or streamed, each with its own finish reason. Anthropic and
Responses upstreams answer one choice: asking them is a 400 naming the client's field,
before anything is sent, not one choice where two were asked for.

The fakes answer one choice whatever they are asked, so the several-choice answers come
from a small upstream here that replays what Chat and Gemini send for two choices.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import orjson
import pytest
from starlette.applications import Starlette
from starlette.requests import Request as HttpRequest
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from dragoman import dialects, sse
from dragoman.ir.errors import InvalidRequest
from dragoman.ir.events import PartDelta, PartStart, PartStop, Start, Stop, UsageUpdate
from dragoman.ir.messages import Text
from dragoman.ir.request import Request
from dragoman.ir.response import Response as Answer
from dragoman.ir.response import accumulate, replay
from dragoman.ir.usage import Usage
from tests.fakes.fixtures import FakeUpstreams
from tests.fakes.server import FakeServer
from tests.gateway import MODEL_OF, providers_for, serve_gateway

HEADS, TAILS = "Heads", "Tails, cut short"
USAGE = Usage(input_tokens=7, output_tokens=6)

CHAT_WHOLE = {
    "id": "chatcmpl-two",
    "object": "chat.completion",
    "model": "two-chat",
    "choices": [
        {"index": 0, "message": {"role": "assistant", "content": HEADS}, "finish_reason": "stop"},
        {"index": 1, "message": {"role": "assistant", "content": TAILS}, "finish_reason": "length"},
    ],
    "usage": {"prompt_tokens": 7, "completion_tokens": 6, "total_tokens": 13},
}
# As OpenAI streams two choices: interleaved, each with its own finish chunk.
CHAT_CHUNKS: list[dict[str, Any]] = [
    {"choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}}]},
    {"choices": [{"index": 1, "delta": {"role": "assistant", "content": ""}}]},
    {"choices": [{"index": 1, "delta": {"content": "Tails, "}}]},
    {"choices": [{"index": 0, "delta": {"content": HEADS}}]},
    {"choices": [{"index": 1, "delta": {"content": "cut short"}, "finish_reason": "length"}]},
    {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
    {"choices": [], "usage": CHAT_WHOLE["usage"]},
]
GEMINI_USAGE = {"promptTokenCount": 7, "candidatesTokenCount": 6, "totalTokenCount": 13}
GEMINI_CHUNKS: list[dict[str, Any]] = [
    {
        "candidates": [
            {"index": 0, "content": {"role": "model", "parts": [{"text": "Hea"}]}},
            {"index": 1, "content": {"role": "model", "parts": [{"text": "Tails, "}]}},
        ],
        "responseId": "two",
    },
    {
        "candidates": [
            {
                "index": 1,
                "content": {"role": "model", "parts": [{"text": "cut short"}]},
                "finishReason": "MAX_TOKENS",
            },
            {"index": 0, "content": {"role": "model", "parts": [{"text": "ds"}]}, "finishReason": "STOP"},
        ],
        "usageMetadata": GEMINI_USAGE,
        "responseId": "two",
    },
]
GEMINI_WHOLE = {
    "candidates": [
        {"index": 0, "content": {"role": "model", "parts": [{"text": HEADS}]}, "finishReason": "STOP"},
        {"index": 1, "content": {"role": "model", "parts": [{"text": TAILS}]}, "finishReason": "MAX_TOKENS"},
    ],
    "usageMetadata": GEMINI_USAGE,
    "responseId": "two",
}


class TwoChoices:
    """An upstream that answers every request with two choices, in Chat or Gemini."""

    def __init__(self) -> None:
        self.bodies: list[Any] = []
        self.server = FakeServer(
            Starlette(
                routes=[
                    Route("/v1/chat/completions", self._chat, methods=["POST"]),
                    Route("/v1beta/models/{target:path}", self._gemini, methods=["POST"]),
                ]
            )
        )

    async def _chat(self, request: HttpRequest) -> Response:
        body = await request.json()
        self.bodies.append(body)
        if not body.get("stream"):
            return JSONResponse(CHAT_WHOLE)
        frames = [sse.encode(orjson.dumps(chunk)) for chunk in CHAT_CHUNKS] + [sse.encode(b"[DONE]")]
        return StreamingResponse(iter(frames), media_type="text/event-stream")

    async def _gemini(self, request: HttpRequest) -> Response:
        self.bodies.append(await request.json())
        if not request.path_params["target"].endswith(":streamGenerateContent"):
            return JSONResponse(GEMINI_WHOLE)
        frames = [sse.encode(orjson.dumps(chunk)) for chunk in GEMINI_CHUNKS]
        return StreamingResponse(iter(frames), media_type="text/event-stream")


@pytest.fixture(scope="module")
def two() -> Iterator[TwoChoices]:
    upstream = TwoChoices()
    upstream.server.start()
    yield upstream
    upstream.server.stop()


@pytest.fixture(scope="module")
def choices_gateway(
    gateway_home: None, two: TwoChoices, fake_upstreams_session: FakeUpstreams
) -> Iterator[str]:
    url = two.server.url
    providers = {
        **providers_for(fake_upstreams_session),
        "two_chat": {
            "kind": "openai_compatible",
            "dialect": "openai_chat",
            "base_url": url + "/v1",
            "models": ["two-chat"],
        },
        "two_gemini": {
            "kind": "openai_compatible",
            "dialect": "gemini",
            "base_url": url + "/v1beta",
            "models": ["two-gemini"],
        },
    }
    with serve_gateway(fake_upstreams_session, providers=providers) as root:
        yield root


# --- the request ---------------------------------------------------------------------


def test_n_and_candidate_count_are_read_and_checked() -> None:
    chat, gemini = dialects.get("openai_chat").request, dialects.get("gemini").request
    assert chat.parse({"model": "m", "messages": [], "n": 3}).choices == 3
    assert chat.parse({"model": "m", "messages": []}).choices == 1
    assert gemini.parse({"contents": [], "generationConfig": {"candidateCount": 2}}).choices == 2
    for bad in (0, -1, "2", 1.5, 10**30):
        with pytest.raises(InvalidRequest) as caught:
            chat.parse({"model": "m", "messages": [], "n": bad})
        assert caught.value.param == "n"


def test_chat_and_gemini_upstreams_are_asked_for_them() -> None:
    asked = Request(model="m", messages=[], choices=3)
    assert dialects.get("openai_chat").request.render(asked, model="m", origin="up")["n"] == 3
    gemini = dialects.get("gemini").request.render(asked, model="m", origin="up")
    assert gemini["generationConfig"]["candidateCount"] == 3  # type: ignore[typeddict-item]
    one = Request(model="m", messages=[])
    assert "n" not in dialects.get("openai_chat").request.render(one, model="m", origin="up")


@pytest.mark.parametrize(
    ("source", "field"), [("openai_chat", "n"), ("gemini", "generationConfig.candidateCount")]
)
@pytest.mark.parametrize("upstream", ["anthropic", "openai_responses"])
def test_one_choice_upstreams_refuse(source: str, field: str, upstream: str) -> None:
    asked = Request(model="m", messages=[], choices=2, source=source)
    with pytest.raises(InvalidRequest) as caught:
        dialects.get(upstream).request.render(asked, model="m", origin="up-x")
    assert caught.value.param == field
    assert caught.value.message.startswith(f"{field}: ") and "up-x" in caught.value.message


# --- the answer, as the IR carries it ------------------------------------------------


def test_alternatives_replay_and_fold_back() -> None:
    answer = Answer(
        id="r",
        model="m",
        parts=[Text(HEADS)],
        stop_reason="end_turn",
        usage=USAGE,
        alternatives=[Answer(parts=[Text(TAILS)], stop_reason="max_tokens")],
    )
    events = list(replay(answer))
    assert isinstance(events[-1], Stop) and events[-1].choice == 0
    assert [e.choice for e in events if isinstance(e, Stop)] == [1, 0]
    folded = accumulate(events)
    assert (folded.text(), folded.stop_reason) == (HEADS, "end_turn")
    assert [(other.text(), other.stop_reason) for other in folded.alternatives] == [(TAILS, "max_tokens")]


def test_a_client_gets_only_the_choices_it_asked_for() -> None:
    events = [
        Start("chatcmpl-x", "m"),
        PartStart(0, Text("")),
        PartDelta(0, "A"),
        PartStop(0),
        PartStart(0, Text(""), choice=1),
        PartDelta(0, "B", choice=1),
        PartStop(0, choice=1),
        UsageUpdate(USAGE),
        Stop("end_turn", choice=1),
        Stop("end_turn"),
    ]
    for dialect in dialects.DIALECTS:
        renderer = dialects.get(dialect).stream.Renderer(Request(model="m", stream=True))
        drawn = b"".join(renderer.render(event) for event in events)
        assert b'"B"' not in drawn and b"A" in drawn, dialect
        whole = dialects.get(dialect).response.render(accumulate(events), Request(model="m"))
        assert '"B"' not in orjson.dumps(whole).decode(), dialect


# --- through the gateway ----------------------------------------------------------------


def chat_answer(response: httpx.Response, stream: bool) -> dict[int, tuple[str, str]]:
    """{choice index: (text, finish_reason)} of a Chat answer."""
    if not stream:
        return {c["index"]: (c["message"]["content"], c["finish_reason"]) for c in response.json()["choices"]}
    found: dict[int, tuple[str, str]] = {}
    chunks = [orjson.loads(e.data) for e in sse.Decoder().feed(response.content) if e.data != "[DONE]"]
    assert len({chunk["id"] for chunk in chunks}) == 1
    for chunk in chunks:
        for choice in chunk["choices"]:
            text, finish = found.get(choice["index"], ("", ""))
            found[choice["index"]] = (
                text + choice["delta"].get("content", ""),
                choice["finish_reason"] or finish,
            )
    return found


def gemini_answer(response: httpx.Response, stream: bool) -> dict[int, tuple[str, str]]:
    """{candidate index: (text, finishReason)} of a Gemini answer."""
    chunks = (
        [orjson.loads(e.data) for e in sse.Decoder().feed(response.content)] if stream else [response.json()]
    )
    found: dict[int, tuple[str, str]] = {}
    for chunk in chunks:
        for candidate in chunk["candidates"]:
            text, finish = found.get(candidate["index"], ("", ""))
            text += "".join(part.get("text", "") for part in candidate["content"]["parts"])
            found[candidate["index"]] = (text, candidate.get("finishReason") or finish)
    return found


TWO_CHAT = {0: (HEADS, "stop"), 1: (TAILS, "length")}
TWO_GEMINI = {0: (HEADS, "STOP"), 1: (TAILS, "MAX_TOKENS")}


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
@pytest.mark.parametrize("model", ["two-chat", "two-gemini"])
def test_a_chat_client_gets_n_choices(
    choices_gateway: str, two: TwoChoices, model: str, stream: bool
) -> None:
    body = {
        "model": model,
        "messages": [{"role": "user", "content": "Flip a coin"}],
        "n": 2,
        "stream": stream,
    }
    response = httpx.post(choices_gateway + "/v1/chat/completions", json=body, timeout=30)
    assert response.status_code == 200, response.text
    assert chat_answer(response, stream) == TWO_CHAT
    sent = two.bodies[-1]
    assert sent.get("n", sent.get("generationConfig", {}).get("candidateCount")) == 2


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
@pytest.mark.parametrize("model", ["two-chat", "two-gemini"])
def test_a_gemini_client_gets_its_candidates(
    choices_gateway: str, two: TwoChoices, model: str, stream: bool
) -> None:
    action = "streamGenerateContent?alt=sse" if stream else "generateContent"
    body = {"contents": [{"parts": [{"text": "Flip a coin"}]}], "generationConfig": {"candidateCount": 2}}
    response = httpx.post(f"{choices_gateway}/v1beta/models/{model}:{action}", json=body, timeout=30)
    assert response.status_code == 200, response.text
    assert gemini_answer(response, stream) == TWO_GEMINI
    sent = two.bodies[-1]
    assert sent.get("n", sent.get("generationConfig", {}).get("candidateCount")) == 2


@pytest.mark.parametrize("upstream", ["anthropic", "openai_responses"])
def test_over_http_one_choice_upstreams_answer_400(
    choices_gateway: str, fakes: FakeUpstreams, upstream: str
) -> None:
    chat = {"model": MODEL_OF[upstream], "messages": [{"role": "user", "content": "hi"}], "n": 2}
    response = httpx.post(choices_gateway + "/v1/chat/completions", json=chat, timeout=30)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == "n"
    assert "n > 1 is not supported" in response.json()["error"]["message"]
    gemini = {"contents": [{"parts": [{"text": "hi"}]}], "generationConfig": {"candidateCount": 3}}
    response = httpx.post(
        f"{choices_gateway}/v1beta/models/{MODEL_OF[upstream]}:generateContent", json=gemini
    )
    assert response.status_code == 400, response.text
    assert "generationConfig.candidateCount > 1 is not supported" in response.json()["error"]["message"]
    assert fakes[upstream].requests == []

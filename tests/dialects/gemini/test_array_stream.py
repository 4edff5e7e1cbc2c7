"""`:streamGenerateContent` without `alt=sse`: Google answers one JSON array of
GenerateContentResponse objects, streamed as they come (`[`, objects separated by
`,\\r\\n`, `]`), with `Content-Type: application/json`. Clients that leave out alt=sse
read that array; an SSE body would be unreadable to them."""

from __future__ import annotations

import httpx
import orjson

from dragoman.dialects.gemini import array_stream
from dragoman.ir import (
    PartDelta,
    PartStart,
    PartStop,
    Request,
    Start,
    Stop,
    StreamError,
    Text,
    Usage,
    UsageUpdate,
)
from dragoman.ir.errors import RateLimited
from tests.fakes import Call, Failure, Reply
from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import MODEL_OF

REQUEST = Request(model="gemini-2.5-flash", stream=True, source="gemini")
BODY = {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}


def render(*events: object) -> list[bytes]:
    renderer = array_stream.Renderer(REQUEST)
    return [renderer.render(event) for event in events]  # type: ignore[arg-type]


def test_the_array_is_opened_by_the_first_object_and_closed_by_the_last() -> None:
    pieces = render(
        Start(id="r1", model="gemini-2.5-flash"),
        PartStart(0, Text("")),
        PartDelta(0, text="Hel"),
        PartDelta(0, text="lo"),
        PartStop(0),
        UsageUpdate(Usage(input_tokens=3, output_tokens=2)),
        Stop("end_turn"),
    )
    written = [piece for piece in pieces if piece]
    assert written[0].startswith(b"[{")
    assert all(piece.startswith(b",\r\n{") for piece in written[1:])
    assert written[-1].endswith(b"}]")
    chunks = orjson.loads(b"".join(pieces))
    assert [c["candidates"][0]["content"]["parts"] for c in chunks] == [
        [{"text": "Hel"}],
        [{"text": "lo"}],
        [],
    ]
    assert chunks[-1]["candidates"][0]["finishReason"] == "STOP"
    assert chunks[-1]["usageMetadata"]["promptTokenCount"] == 3
    assert {chunk["responseId"] for chunk in chunks} == {"r1"}


def test_an_error_is_the_last_element() -> None:
    pieces = render(
        Start(id="r1", model="m"),
        PartStart(0, Text("")),
        PartDelta(0, text="Hi"),
        StreamError(RateLimited("slow")),
    )
    chunks = orjson.loads(b"".join(pieces))
    assert chunks[-1]["error"]["code"] == 429
    assert chunks[-1]["error"]["message"] == "slow"


def test_an_answer_with_no_object_before_its_end_is_still_an_array() -> None:
    assert orjson.loads(b"".join(render(StreamError(RateLimited("slow")))))[0]["error"]["code"] == 429
    assert len(orjson.loads(b"".join(render(Stop("end_turn"))))) == 1


def test_keepalives_are_whitespace_the_array_allows() -> None:
    renderer = array_stream.Renderer(REQUEST)
    body = renderer.keepalive() + renderer.render(Start(id="r", model="m"))
    body += (
        renderer.keepalive()
        + renderer.render(PartStart(0, Text("")))
        + renderer.render(PartDelta(0, text="x"))
    )
    body += renderer.keepalive() + renderer.render(Stop("end_turn"))
    assert renderer.keepalive() == b"\n"
    assert len(orjson.loads(body)) == 2


def stream(gateway: str, model: str, query: str = "") -> httpx.Response:
    url = f"{gateway}/v1beta/models/{model}:streamGenerateContent{query}"
    return httpx.post(url, json=BODY, timeout=30)


def test_over_http_each_upstream_dialect_answers_a_json_array(gateway: str, fakes: FakeUpstreams) -> None:
    for dialect, model in MODEL_OF.items():
        fakes[dialect].script(Reply(text="Bonjour from the upstream.", chunks=3))
        response = stream(gateway, model)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/json")
        assert response.text.startswith("[") and response.text.endswith("]")
        chunks = orjson.loads(response.content)
        text = "".join(p.get("text", "") for c in chunks for p in c["candidates"][0]["content"]["parts"])
        assert text == "Bonjour from the upstream.", dialect
        assert chunks[-1]["candidates"][0]["finishReason"] == "STOP"


def test_over_http_tool_calls_and_a_mid_stream_error_stay_in_the_array(
    gateway: str, fakes: FakeUpstreams
) -> None:
    fakes.anthropic.script(
        Reply(tool_calls=[Call("get_weather", {"city": "Paris"})]),
        Reply(text="partial", error=Failure(429, "slow down", mid_stream=True)),
    )
    chunks = orjson.loads(stream(gateway, MODEL_OF["anthropic"]).content)
    calls = [
        p["functionCall"]
        for c in chunks
        for p in c["candidates"][0]["content"]["parts"]
        if "functionCall" in p
    ]
    assert [(call["name"], call["args"]) for call in calls] == [("get_weather", {"city": "Paris"})]
    failed = orjson.loads(stream(gateway, MODEL_OF["anthropic"]).content)
    assert failed[-1]["error"]["message"] == "slow down"


def test_over_http_alt_sse_still_streams_sse(gateway: str) -> None:
    response = stream(gateway, MODEL_OF["gemini"], "?alt=sse")
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.text.startswith("data: ")

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from dragoman import sse
from dragoman.dialects.gemini.parts import client_signature
from dragoman.dialects.gemini.stream import Parser, Renderer
from dragoman.ir import (
    Image,
    PartDelta,
    PartStart,
    PartStop,
    Request,
    Start,
    Stop,
    StreamError,
    Text,
    Thinking,
    ToolCall,
    Usage,
    UsageUpdate,
)
from dragoman.ir.errors import RateLimited, UpstreamError
from dragoman.ir.events import Event
from dragoman.ir.response import accumulate

TRANSCRIPTS = Path(__file__).parent / "transcripts"
ORIGIN = "gemini-test"


def parse_bytes(data: bytes, origin: str = ORIGIN) -> list[Event]:
    decoder, parser = sse.Decoder(), Parser(origin)
    events = [ir for event in decoder.feed(data) + decoder.flush() for ir in parser.feed(event)]
    return events + parser.close()


def parse_chunks(*chunks: dict[str, object]) -> list[Event]:
    return parse_bytes(b"".join(sse.encode(orjson.dumps(chunk)) for chunk in chunks))


def candidate(*parts: dict[str, object], finish: str | None = None) -> dict[str, object]:
    body: dict[str, object] = {"content": {"role": "model", "parts": list(parts)}}
    if finish:
        body["finishReason"] = finish
    return {"candidates": [body], "responseId": "r", "modelVersion": "gemini-2.5-flash"}


def test_thinking_then_parallel_calls() -> None:
    events = parse_bytes((TRANSCRIPTS / "tool_call.sse").read_bytes())
    start, *rest = events
    assert start == Start(id="kX9BabCdEfGhIjK", model="gemini-2.5-flash")
    structural = [e for e in rest if not isinstance(e, UsageUpdate)]
    assert structural[:4] == [
        PartStart(0, Thinking(origin=ORIGIN)),
        PartDelta(0, text="**Reading the file**\n\nThe user wants"),
        PartDelta(0, text=" the contents of hello.txt."),
        PartStop(0),
    ]
    assert structural[4:7] == [
        PartStart(1, Thinking(origin=ORIGIN)),
        PartDelta(1, signature="CiQBVKhc7xY2c2lnbmF0dXJlLWJ5dGVz"),
        PartStop(1),
    ]
    first_call, second_call = structural[7], structural[10]
    assert isinstance(first_call, PartStart) and isinstance(first_call.part, ToolCall)
    assert isinstance(second_call, PartStart) and isinstance(second_call.part, ToolCall)
    assert first_call.part.id != second_call.part.id
    assert structural[-1] == Stop("tool_use")
    response = accumulate(events)
    assert [call.name for call in response.tool_calls()] == ["read_file", "list_directory"]
    assert response.tool_calls()[0].arguments == '{"file_path":"/home/user/project/hello.txt"}'
    assert response.usage == Usage(input_tokens=812, output_tokens=89, reasoning_tokens=48)


def test_text_fragments_grow_one_part_and_a_trailing_signature_is_its_own() -> None:
    response = accumulate(parse_bytes((TRANSCRIPTS / "text_max_tokens.sse").read_bytes()))
    assert response.parts == [
        Text("The file says: capture-file-content"),
        Thinking(signature="EjQKMgEi", origin=ORIGIN),
    ]
    assert response.stop_reason == "max_tokens"
    assert response.usage == Usage(
        input_tokens=930, output_tokens=39, cache_read_tokens=512, reasoning_tokens=30
    )


def test_code_assist_chunks_are_unwrapped() -> None:
    response = accumulate(parse_bytes((TRANSCRIPTS / "code_assist.sse").read_bytes()))
    assert (response.id, response.model, response.text()) == ("ca1", "gemini-2.5-pro", "Hi there")
    assert response.stop_reason == "end_turn"


def test_an_error_chunk_ends_the_stream() -> None:
    events = parse_bytes((TRANSCRIPTS / "error_mid_stream.sse").read_bytes())
    assert isinstance(events[-1], StreamError)
    assert isinstance(events[-1].error, RateLimited)
    assert events[-1].error.retry_after == 21
    assert not any(isinstance(event, Stop) for event in events)


def test_a_signed_text_part_starts_a_new_text() -> None:
    events = parse_chunks(
        candidate({"text": "a"}),
        candidate({"text": "b", "thoughtSignature": "s"}, {"text": "c"}, finish="STOP"),
    )
    assert accumulate(events).parts == [Text("a"), Thinking(signature="s", origin=ORIGIN), Text("bc")]


def test_thought_signature_on_a_thought_part_signs_that_thought() -> None:
    events = parse_chunks(
        candidate({"text": "hm", "thought": True}),
        candidate({"text": "", "thought": True, "thoughtSignature": "s"}, {"text": "later", "thought": True}),
        candidate({"text": "done"}, finish="STOP"),
    )
    assert accumulate(events).parts == [
        Thinking("hm", signature="s", origin=ORIGIN),
        Thinking("later", origin=ORIGIN),
        Text("done"),
    ]


def test_function_call_ids_are_kept_when_given() -> None:
    events = parse_chunks(candidate({"functionCall": {"id": "fc1", "name": "f"}}, finish="STOP"))
    assert accumulate(events).parts == [ToolCall("fc1", "f", "{}")]


def test_inline_images_arrive_whole() -> None:
    events = parse_chunks(candidate({"inlineData": {"mimeType": "image/png", "data": "PNG"}}, finish="STOP"))
    assert accumulate(events).parts == [Image(media_type="image/png", data="PNG")]


@pytest.mark.parametrize(
    ("finish", "reason"),
    [("STOP", "end_turn"), ("MAX_TOKENS", "max_tokens"), ("SAFETY", "refusal"), ("RECITATION", "refusal"),
     ("MALFORMED_FUNCTION_CALL", "error"), ("OTHER", "error"), ("SOMETHING_NEW", "end_turn")],
)  # fmt: skip
def test_finish_reasons(finish: str, reason: str) -> None:
    events = parse_chunks(candidate({"text": "x"}, finish=finish))
    assert events[-1] == Stop(reason)  # type: ignore[arg-type]


def test_blocked_prompt_is_a_refusal_without_parts() -> None:
    events = parse_chunks(
        {"promptFeedback": {"blockReason": "PROHIBITED_CONTENT"}, "usageMetadata": {"promptTokenCount": 3}}
    )
    response = accumulate(events)
    assert (response.parts, response.stop_reason, response.usage.input_tokens) == ([], "refusal", 3)


def test_end_without_finish_reason() -> None:
    assert parse_chunks(candidate({"text": "cut"}))[-2:] == [PartStop(0), Stop("end_turn")]
    empty = parse_chunks({"usageMetadata": {"promptTokenCount": 3}})
    assert isinstance(empty[-1], StreamError) and isinstance(empty[-1].error, UpstreamError)
    assert isinstance(Parser(ORIGIN).close()[0], StreamError)


def test_not_json_is_a_stream_error_and_nothing_follows() -> None:
    parser = Parser(ORIGIN)
    [error] = parser.feed(sse.Event(data="{oops"))
    assert isinstance(error, StreamError)
    assert parser.feed(sse.Event(data='{"candidates": []}')) == []
    assert parser.close() == []


def test_a_done_sentinel_is_ignored() -> None:
    data = sse.encode(orjson.dumps(candidate({"text": "x"}, finish="STOP"))) + b"data: [DONE]\n\n"
    assert parse_bytes(data)[-1] == Stop("end_turn")


def test_malformed_parts_are_skipped() -> None:
    events = parse_chunks(candidate({"functionCall": {"args": {}}}, {"text": "ok"}, finish="STOP"))
    assert accumulate(events).parts == [Text("ok")]


def render_all(events: list[Event], model: str = "asked") -> list[Any]:
    renderer = Renderer(Request(model=model))
    data = b"".join(renderer.render(event) for event in events)
    return [orjson.loads(event.data) for event in sse.Decoder().feed(data)]


def test_renderer_emits_new_parts_and_a_final_chunk() -> None:
    chunks = render_all(
        [
            Start("resp_1", "upstream-model"),
            PartStart(0, Thinking(origin="claude")),
            PartDelta(0, text="plan"),
            PartDelta(0, signature="sig"),
            PartStop(0),
            PartStart(1, Text("")),
            PartDelta(1, text="Hello"),
            PartStop(1),
            PartStart(2, ToolCall("c1", "f")),
            PartDelta(2, text='{"a":'),
            PartDelta(2, text="1}"),
            PartStop(2),
            UsageUpdate(Usage(input_tokens=10, output_tokens=7, reasoning_tokens=2)),
            Stop("tool_use"),
        ]
    )
    parts = [chunk["candidates"][0]["content"]["parts"] for chunk in chunks]
    assert parts[0] == [{"text": "plan", "thought": True}]
    assert parts[1][0]["thought"] is True and parts[1][0]["text"] == ""
    assert client_signature(parts[1][0]["thoughtSignature"]) == ("claude", None, "sig")
    assert parts[2:] == [
        [{"text": "Hello"}],
        [{"functionCall": {"id": "c1", "name": "f", "args": {"a": 1}}}],
        [],
    ]
    final = chunks[-1]
    assert final["candidates"][0]["finishReason"] == "STOP"
    assert final["usageMetadata"] == {
        "promptTokenCount": 10,
        "candidatesTokenCount": 5,
        "thoughtsTokenCount": 2,
        "totalTokenCount": 17,
    }
    assert {(chunk["modelVersion"], chunk["responseId"]) for chunk in chunks} == {("asked", "resp_1")}


def test_a_bare_signature_rides_on_the_next_part_or_the_last_chunk() -> None:
    signed = Thinking(origin="gemini")
    chunks = render_all(
        [
            Start("r", "m"),
            PartStart(0, signed),
            PartDelta(0, signature="s1"),
            PartStop(0),
            PartStart(1, ToolCall("c", "f")),
            PartStop(1),
            PartStart(2, signed),
            PartDelta(2, signature="s2"),
            PartStop(2),
            Stop("tool_use"),
        ]
    )
    call_part, last_part = (
        chunks[0]["candidates"][0]["content"]["parts"][0],
        chunks[1]["candidates"][0]["content"]["parts"][0],
    )
    assert call_part["functionCall"] == {"id": "c", "name": "f", "args": {}}
    assert client_signature(call_part["thoughtSignature"]) == ("gemini", None, "s1")
    assert last_part["text"] == "" and client_signature(last_part["thoughtSignature"])[2] == "s2"


def test_redacted_thinking_is_not_shown_and_images_are() -> None:
    chunks = render_all(
        [
            Start("r", "m"),
            PartStart(0, Thinking(signature="opaque", redacted=True, origin="claude")),
            PartStop(0),
            PartStart(1, Image(media_type="image/png", data="PNG")),
            PartStop(1),
            Stop("end_turn"),
        ]
    )
    assert chunks[0]["candidates"][0]["content"]["parts"] == [
        {"inlineData": {"mimeType": "image/png", "data": "PNG"}}
    ]
    assert len(chunks) == 2


def test_stream_error_is_a_final_error_chunk() -> None:
    renderer = Renderer(Request(model="m"))
    renderer.render(Start("r", "m"))
    out = renderer.render(StreamError(RateLimited("slow down", retry_after=4)))
    assert orjson.loads(sse.Decoder().feed(out)[0].data) == {
        "error": {
            "code": 429,
            "message": "slow down",
            "status": "RESOURCE_EXHAUSTED",
            "details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "4s"}],
        }
    }
    assert renderer.render(Stop("end_turn")) == b""


def test_keepalive_is_a_blank_line() -> None:
    assert Renderer(Request(model="m")).keepalive() == b"\n"
    assert sse.Decoder().feed(b"\n") == []

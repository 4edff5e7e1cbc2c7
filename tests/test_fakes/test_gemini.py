"""The Gemini fake speaks the real format: checked with the official google-genai SDK."""

from __future__ import annotations

import orjson
import pytest
from google import genai
from google.genai import errors, types

from tests.fakes import Call, Failure, GeminiFake, Reply, Usage
from tests.test_fakes.raw import events, payloads, post

FLASH = "gemini-2.5-flash"
PRO3 = "gemini-3-pro-preview"
THOUGHTS = types.GenerateContentConfig(thinking_config=types.ThinkingConfig(include_thoughts=True))


def sdk(fake: GeminiFake, key: str | None = None) -> genai.Client:
    options = types.HttpOptions(base_url=fake.url, api_version="v1beta")
    return genai.Client(api_key=key or fake.key, http_options=options)


@pytest.fixture
def client(fake_gemini: GeminiFake) -> genai.Client:
    return sdk(fake_gemini)


def test_text_and_usage(client: genai.Client, fake_gemini: GeminiFake) -> None:
    fake_gemini.script(Reply(text="Hallo", usage=Usage(input=40, output=25, cached=8, reasoning=10)))
    response = client.models.generate_content(model=FLASH, contents="hi")
    assert response.text == "Hallo"
    assert response.candidates is not None and response.candidates[0].finish_reason == types.FinishReason.STOP
    usage = response.usage_metadata
    assert usage is not None
    assert (usage.prompt_token_count, usage.candidates_token_count, usage.thoughts_token_count) == (
        40,
        15,
        10,
    )
    assert (usage.cached_content_token_count, usage.total_token_count) == (8, 65)
    assert fake_gemini.last.path == f"/v1beta/models/{FLASH}:generateContent"


def test_sse_stream_framing(fake_gemini: GeminiFake) -> None:
    fake_gemini.script(Reply(text="Hello there world", usage=Usage(input=4, output=6)))
    body = {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}
    raw = post(fake_gemini, f"/v1beta/models/{FLASH}:streamGenerateContent?alt=sse", body).content
    assert raw.count(b"\r\n\r\n") == 3 and b"event:" not in raw
    chunks = payloads(raw)
    assert "".join(c["candidates"][0]["content"]["parts"][0]["text"] for c in chunks) == "Hello there world"
    assert [c["candidates"][0].get("finishReason") for c in chunks] == [None, None, "STOP"]
    assert chunks[-1]["usageMetadata"]["candidatesTokenCount"] == 6
    assert "candidatesTokenCount" not in chunks[0]["usageMetadata"]


def test_json_array_stream_without_alt_sse(fake_gemini: GeminiFake) -> None:
    fake_gemini.script(Reply(text="abc"))
    body = {"contents": [{"parts": [{"text": "hi"}]}]}
    response = post(fake_gemini, f"/v1beta/models/{FLASH}:streamGenerateContent", body)
    chunks = orjson.loads(response.content)
    assert isinstance(chunks, list) and chunks[-1]["candidates"][0]["finishReason"] == "STOP"


def test_sdk_stream_with_thoughts_and_signed_calls(client: genai.Client, fake_gemini: GeminiFake) -> None:
    fake_gemini.script(Reply(thinking="plan ahead", tool_calls=[Call("a", {"x": 1}), Call("b", {})]))
    chunks = list(client.models.generate_content_stream(model=PRO3, contents="hi", config=THOUGHTS))
    parts = [
        p
        for c in chunks
        if c.candidates and c.candidates[0].content
        for p in c.candidates[0].content.parts or []
    ]
    assert [p.thought for p in parts if p.text] == [True] * 3
    calls = [p for p in parts if p.function_call]
    assert [(p.function_call.name, p.function_call.args) for p in calls] == [("a", {"x": 1}), ("b", {})]  # type: ignore[union-attr]
    assert calls[0].thought_signature is not None and calls[1].thought_signature is None
    assert calls[0].function_call.id is None  # type: ignore[union-attr]


def test_thoughts_hidden_without_include_thoughts(client: genai.Client, fake_gemini: GeminiFake) -> None:
    fake_gemini.script(Reply(text="answer", thinking="plan"))
    response = client.models.generate_content(model=FLASH, contents="hi")
    parts = response.candidates[0].content.parts  # type: ignore[index, union-attr]
    assert [(p.text, p.thought) for p in parts] == [("answer", None)]  # type: ignore[union-attr]
    assert parts[0].thought_signature is not None  # type: ignore[index]


def test_stream_signature_on_final_empty_part(fake_gemini: GeminiFake) -> None:
    fake_gemini.script(Reply(text="ok", thinking="t"))
    raw = post(
        fake_gemini,
        f"/v1beta/models/{PRO3}:streamGenerateContent?alt=sse",
        {"contents": [{"parts": [{"text": "hi"}]}]},
    ).content
    last = payloads(raw)[-1]["candidates"][0]
    assert last["content"]["parts"] == [
        {"text": "", "thoughtSignature": last["content"]["parts"][0]["thoughtSignature"]}
    ]
    assert last["finishReason"] == "STOP"


def test_signed_history_round_trips_through_the_sdk(client: genai.Client, fake_gemini: GeminiFake) -> None:
    fake_gemini.script(Reply(tool_calls=[Call("read", {"p": "a"})]))
    first = client.models.generate_content(model=PRO3, contents="hi")
    model_turn = first.candidates[0].content  # type: ignore[index]
    answer = types.Content(
        role="user", parts=[types.Part.from_function_response(name="read", response={"output": "data"})]
    )
    history = [types.Content(role="user", parts=[types.Part(text="hi")]), model_turn, answer]
    assert client.models.generate_content(model=PRO3, contents=history).text == "OK"  # type: ignore[arg-type]


def test_rate_limit_carries_retry_info(client: genai.Client, fake_gemini: GeminiFake) -> None:
    fake_gemini.script(Reply(error=Failure(429, "Resource exhausted", retry_after=34)))
    with pytest.raises(errors.ClientError) as caught:
        client.models.generate_content(model=FLASH, contents="hi")
    assert caught.value.code == 429 and caught.value.status == "RESOURCE_EXHAUSTED"
    details = caught.value.details["error"]["details"]
    assert {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "34s"} in details
    assert "retry-after" not in caught.value.response.headers  # type: ignore[union-attr]


def test_server_errors_and_mid_stream(fake_gemini: GeminiFake) -> None:
    fake_gemini.script(
        Reply(error=Failure(503, "busy")), Reply(text="abc", error=Failure(500, "boom", mid_stream=True))
    )
    body = {"contents": [{"parts": [{"text": "hi"}]}]}
    busy = post(fake_gemini, f"/v1beta/models/{FLASH}:generateContent", body)
    assert busy.status_code == 503 and busy.json()["error"]["status"] == "UNAVAILABLE"
    raw = post(fake_gemini, f"/v1beta/models/{FLASH}:streamGenerateContent?alt=sse", body).content
    assert payloads(raw)[-1] == {"error": {"code": 500, "message": "boom", "status": "INTERNAL"}}
    assert len(events(raw)) == 3


def test_auth_as_google_answers(fake_gemini: GeminiFake) -> None:
    stranger = sdk(fake_gemini, key="wrong")  # kept: the SDK closes its HTTP client when collected
    with pytest.raises(errors.ClientError) as wrong:
        stranger.models.generate_content(model=FLASH, contents="hi")
    assert (wrong.value.code, wrong.value.status) == (400, "INVALID_ARGUMENT")
    assert wrong.value.details["error"]["details"][0]["reason"] == "API_KEY_INVALID"
    body = {"contents": [{"parts": [{"text": "hi"}]}]}
    missing = post(fake_gemini, f"/v1beta/models/{FLASH}:generateContent", body, {"x-goog-api-key": None})  # type: ignore[dict-item]
    assert missing.status_code == 403 and missing.json()["error"]["status"] == "PERMISSION_DENIED"
    by_query = post(
        fake_gemini,
        f"/v1beta/models/{FLASH}:generateContent?key={fake_gemini.key}",
        body,
        {"x-goog-api-key": None},
    )  # type: ignore[dict-item]
    assert by_query.status_code == 200


def test_count_tokens_and_models(client: genai.Client, fake_gemini: GeminiFake) -> None:
    fake_gemini.count_tokens_result = 9
    assert client.models.count_tokens(model=FLASH, contents="hello").total_tokens == 9
    assert [m.name for m in client.models.list()] == [f"models/{m}" for m in fake_gemini.models]
    assert client.models.get(model=FLASH).display_name == "Gemini 2.5 Flash"
    with pytest.raises(errors.ClientError):
        client.models.get(model="gemini-nope")


def test_v1_paths_and_unknown_method(fake_gemini: GeminiFake) -> None:
    body = {"contents": [{"parts": [{"text": "hi"}]}]}
    assert post(fake_gemini, f"/v1/models/{FLASH}:generateContent", body).status_code == 200
    assert post(fake_gemini, f"/v1beta/models/{FLASH}:embedContent", body).status_code == 404

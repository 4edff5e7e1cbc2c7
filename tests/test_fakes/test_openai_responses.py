"""The Responses fake speaks the real format: checked with the official openai SDK."""

from __future__ import annotations

from typing import Any

import openai
import orjson
import pytest

from tests.fakes import Call, Failure, OpenAIResponsesFake, Reply, Usage
from tests.test_fakes.raw import events, payloads, post

MODEL = "gpt-5"
ENCRYPTED = ["reasoning.encrypted_content"]


@pytest.fixture
def client(fake_openai_responses: OpenAIResponsesFake) -> openai.OpenAI:
    fake = fake_openai_responses
    return openai.OpenAI(base_url=fake.base_url, api_key=fake.key, max_retries=0)


def test_text_with_usage(client: openai.OpenAI, fake_openai_responses: OpenAIResponsesFake) -> None:
    fake_openai_responses.script(
        Reply(text="Salut", usage=Usage(input=50, output=20, cached=10, reasoning=8))
    )
    response = client.responses.create(model=MODEL, input="hi", instructions="be brief")
    assert response.output_text == "Salut"
    assert (response.status, response.instructions) == ("completed", "be brief")
    usage = response.usage
    assert usage is not None
    assert (usage.input_tokens, usage.output_tokens, usage.total_tokens) == (50, 20, 70)
    assert usage.input_tokens_details.cached_tokens == 10
    assert usage.output_tokens_details.reasoning_tokens == 8


def test_stream_event_order_and_sequence_numbers(fake_openai_responses: OpenAIResponsesFake) -> None:
    fake_openai_responses.script(Reply(text="Hi you", thinking="hmm", tool_calls=[Call("f", {"a": 1})]))
    body = {"model": MODEL, "input": "hi", "stream": True, "reasoning": {"summary": "auto"}}
    raw = post(fake_openai_responses, "/v1/responses", body).content
    found = events(raw)
    names = [name for name, _ in found]
    assert all(orjson.loads(data)["type"] == name for name, data in found)
    assert [p["sequence_number"] for p in payloads(raw)] == list(range(len(found)))
    assert names == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.reasoning_summary_part.added",
        *["response.reasoning_summary_text.delta"] * 3,
        "response.reasoning_summary_text.done",
        "response.reasoning_summary_part.done",
        "response.output_item.done",
        "response.output_item.added",
        "response.content_part.added",
        *["response.output_text.delta"] * 3,
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.output_item.added",
        *["response.function_call_arguments.delta"] * 3,
        "response.function_call_arguments.done",
        "response.output_item.done",
        "response.completed",
    ]
    assert b"[DONE]" not in raw


def test_sdk_stream_final_response(client: openai.OpenAI, fake_openai_responses: OpenAIResponsesFake) -> None:
    fake_openai_responses.script(Reply(text="Done", tool_calls=[Call("f", {"x": [1, 2]}, id="call_9")]))
    with client.responses.stream(model=MODEL, input="hi") as stream:
        final = stream.get_final_response()
    message, call = final.output
    assert message.type == "message" and final.output_text == "Done"
    assert call.type == "function_call"
    assert (call.call_id, call.name, orjson.loads(call.arguments)) == ("call_9", "f", {"x": [1, 2]})


def test_reasoning_summary_only_when_asked(
    client: openai.OpenAI, fake_openai_responses: OpenAIResponsesFake
) -> None:
    fake_openai_responses.script(Reply(text="a", thinking="secret"), Reply(text="b", thinking="shown"))
    quiet = client.responses.create(model=MODEL, input="hi").output[0]
    shown = client.responses.create(model=MODEL, input="hi", reasoning={"summary": "auto"}).output[0]
    assert quiet.type == shown.type == "reasoning"
    assert quiet.summary == [] and quiet.encrypted_content is None
    assert [s.text for s in shown.summary] == ["shown"]


def test_encrypted_reasoning_replay(
    client: openai.OpenAI, fake_openai_responses: OpenAIResponsesFake
) -> None:
    fake_openai_responses.script(Reply(thinking="t", tool_calls=[Call("f", {})]))
    first = client.responses.create(model=MODEL, input="hi", include=ENCRYPTED, store=False)
    reasoning, call = (item.model_dump(exclude_none=True) for item in first.output)
    assert reasoning["encrypted_content"] in fake_openai_responses.signatures
    history = [{"role": "user", "content": "hi"}, reasoning, call]
    answer = {"type": "function_call_output", "call_id": call["call_id"], "output": "42"}
    again = client.responses.create(model=MODEL, input=[*history, answer], include=ENCRYPTED, store=False)
    assert again.output_text == "OK"
    forged = {**reasoning, "encrypted_content": "gAAAAforged"}
    with pytest.raises(openai.BadRequestError) as caught:
        client.responses.create(model=MODEL, input=[history[0], forged, call, answer], store=False)
    assert caught.value.code == "invalid_encrypted_content"


def test_reasoning_by_id_needs_a_stored_response(
    client: openai.OpenAI, fake_openai_responses: OpenAIResponsesFake
) -> None:
    fake_openai_responses.script(Reply(text="a", thinking="t"), Reply(text="b", thinking="t"))
    stored = client.responses.create(model=MODEL, input="hi").output[0].id
    unstored = client.responses.create(model=MODEL, input="hi", store=False).output[0].id
    item = {"type": "reasoning", "summary": []}
    assert client.responses.create(model=MODEL, input=[{**item, "id": stored}]).output_text == "OK"
    with pytest.raises(openai.NotFoundError):
        client.responses.create(model=MODEL, input=[{**item, "id": unstored}])


@pytest.mark.parametrize(
    ("stop", "reason"), [("max_tokens", "max_output_tokens"), ("refusal", "content_filter")]
)
def test_incomplete(fake_openai_responses: OpenAIResponsesFake, stop: Any, reason: str) -> None:
    fake_openai_responses.script(Reply(text="cut", stop=stop))
    raw = post(
        fake_openai_responses, "/v1/responses", {"model": MODEL, "input": "hi", "stream": True}
    ).content
    last = payloads(raw)[-1]
    assert last["type"] == "response.incomplete"
    assert last["response"]["incomplete_details"] == {"reason": reason}


def test_mid_stream_failures(fake_openai_responses: OpenAIResponsesFake) -> None:
    fake_openai_responses.script(
        Reply(text="x", error=Failure(500, "boom", mid_stream=True)),
        Reply(text="x", error=Failure(429, "slow", mid_stream=True)),
    )
    body = {"model": MODEL, "input": "hi", "stream": True}
    failed = payloads(post(fake_openai_responses, "/v1/responses", body).content)[-1]
    assert failed["type"] == "response.failed"
    assert failed["response"]["error"] == {"code": "server_error", "message": "boom"}
    error = payloads(post(fake_openai_responses, "/v1/responses", body).content)[-1]
    assert (error["type"], error["code"], error["message"]) == ("error", "rate_limit_exceeded", "slow")


def test_http_errors(client: openai.OpenAI, fake_openai_responses: OpenAIResponsesFake) -> None:
    fake_openai_responses.script(Reply(error=Failure(429, "slow", retry_after=1.5)))
    with pytest.raises(openai.RateLimitError) as caught:
        client.responses.create(model=MODEL, input="hi")
    assert caught.value.response.headers["retry-after"] == "1.5"


CALL = {"type": "function_call", "call_id": "call_1", "name": "f", "arguments": "{}"}
REJECTED = [
    ({"input": "hi"}, "Missing required parameter: 'model'.", "model"),
    ({"model": MODEL}, "Missing required parameter: 'input'.", "input"),
    ({"model": MODEL, "input": "hi", "messages": []}, "Unknown parameter: 'messages'.", "messages"),
    (
        {"model": MODEL, "input": "hi", "instructions": ["x"]},
        "Invalid type for 'instructions'",
        "instructions",
    ),
    ({"model": MODEL, "input": "hi", "include": ["reasoning"]}, "Invalid value: 'reasoning'", "include[0]"),
    (
        {"model": MODEL, "input": [{"type": "function_call_output", "call_id": "call_1", "output": "r"}]},
        "No tool call found for function call output with call_id call_1.",
        "input",
    ),
    (
        {"model": MODEL, "input": [{"role": "assistant", "content": [{"type": "input_text", "text": "x"}]}]},
        "Invalid value: 'input_text'. Supported values are: 'output_text', and 'refusal'.",
        "input[0].content[0]",
    ),
    ({"model": MODEL, "input": [{**CALL, "arguments": {}}]}, "expected a string", "input[0].arguments"),
    (
        {"model": MODEL, "input": [{"type": "reasoning", "encrypted_content": "x"}]},
        "'input[0].summary'",
        "input[0].summary",
    ),
    (
        {"model": MODEL, "input": "hi", "tools": [{"type": "function", "function": {"name": "f"}}]},
        "Missing required parameter: 'tools[0].name'.",
        "tools[0].name",
    ),
    (
        {
            "model": MODEL,
            "input": "hi",
            "tools": [{"type": "function", "name": "f", "parameters": {"type": "array"}}],
        },
        "Invalid schema for function 'f'",
        "tools[0].parameters",
    ),
    (
        {"model": MODEL, "input": "hi", "temperature": 0.3},
        "'temperature' is not supported with this model",
        "temperature",
    ),
]


@pytest.mark.parametrize(("body", "message", "param"), REJECTED)
def test_validation_rejects(
    fake_openai_responses: OpenAIResponsesFake, body: dict[str, Any], message: str, param: str
) -> None:
    response = post(fake_openai_responses, "/v1/responses", body)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert message in error["message"]
    assert (error["type"], error["param"]) == ("invalid_request_error", param)


def test_call_output_after_its_call_is_accepted(fake_openai_responses: OpenAIResponsesFake) -> None:
    output = {"type": "function_call_output", "call_id": "call_1", "output": "r"}
    body = {"model": "gpt-4.1", "input": [CALL, output], "temperature": 0.3}
    first = post(fake_openai_responses, "/v1/responses", body)
    assert first.status_code == 200
    stateful = {"model": MODEL, "input": [output], "previous_response_id": first.json()["id"]}
    assert post(fake_openai_responses, "/v1/responses", stateful).status_code == 200


def test_a_previous_response_it_never_stored_is_refused(fake_openai_responses: OpenAIResponsesFake) -> None:
    unstored = post(fake_openai_responses, "/v1/responses", {"model": MODEL, "input": "hi", "store": False})
    body = {"model": MODEL, "input": "and?", "previous_response_id": unstored.json()["id"]}
    response = post(fake_openai_responses, "/v1/responses", body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["param"]) == ("previous_response_not_found", "previous_response_id")

"""Codex compaction through the official `openai` SDK: a `compaction_trigger` answered
with exactly one compaction item, and `responses.compact`, against every upstream
dialect. OpenAI itself compacts (forwarded as is); any other model writes a summary that
dragoman seals, and a later request carrying that item gives the model the summary."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import openai
import orjson
import pytest

from tests.fakes.fixtures import FakeUpstreams
from tests.fakes.script import Failure, Reply, Usage
from tests.gateway import MODEL_OF, providers_for, serve_gateway

SUMMARISED = ["openai_chat", "openai_responses", "anthropic", "gemini"]  # openai_compatible: no native
TOOL = {"type": "function", "name": "read", "parameters": {"type": "object", "properties": {}}}
HISTORY: list[Any] = [
    {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Read notes.txt"}]},
    {"type": "function_call", "call_id": "call_1", "name": "read", "arguments": "{}"},
    {"type": "function_call_output", "call_id": "call_1", "output": "the notes say 42"},
    {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "They say 42."}]},
]
TRIGGER = {"type": "compaction_trigger"}


def _client(root: str) -> openai.OpenAI:
    return openai.OpenAI(api_key="unused", base_url=root + "/v1", max_retries=0)


@pytest.fixture
def client(fakes: FakeUpstreams) -> Iterator[openai.OpenAI]:
    with serve_gateway(fakes) as root, _client(root) as client:
        yield client


def _triggered(client: openai.OpenAI, model: str, stream: bool) -> list[Any]:
    """The output items of a request ending with a compaction_trigger."""
    kwargs: dict[str, Any] = {"model": model, "input": [*HISTORY, TRIGGER], "tools": [TOOL], "store": False}
    if not stream:
        return list(client.responses.create(**kwargs).output)
    with client.responses.stream(**kwargs) as events:
        kinds = [event.type for event in events]
        final = events.get_final_response()
    assert kinds[0] == "response.created" and kinds[-1] == "response.completed"
    assert kinds.count("response.output_item.done") == 1
    return list(final.output)


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
@pytest.mark.parametrize("dialect", SUMMARISED)
def test_a_trigger_is_answered_with_one_sealed_summary_that_comes_back_as_a_message(
    client: openai.OpenAI, fakes: FakeUpstreams, dialect: str, stream: bool
) -> None:
    summary = f"The user wants notes.txt read; it says 42. {secrets.token_hex(4)}"
    fakes[dialect].script(Reply(text=summary, usage=Usage(input=900, output=40)), Reply(text="Done."))
    output = _triggered(client, MODEL_OF[dialect], stream)
    assert [item.type for item in output] == ["compaction"]
    sealed = output[0].encrypted_content
    assert sealed.startswith("dgc1.") and summary not in sealed  # opaque, not the text itself
    asked = orjson.dumps(fakes[dialect].last_json).decode()
    assert "the notes say 42" in asked and "handoff summary" in asked  # the whole history, then the ask
    later = [{"type": "compaction", "encrypted_content": sealed, "id": output[0].id}, _user("Go on.")]
    answer = client.responses.create(model=MODEL_OF[dialect], input=later, store=False)
    assert answer.output_text == "Done."
    sent = orjson.dumps(fakes[dialect].last_json).decode()
    assert summary in sent and "dgc1." not in sent and "the notes say 42" not in sent


@pytest.mark.parametrize("dialect", SUMMARISED)
def test_compact_gives_the_user_messages_then_the_compaction(
    client: openai.OpenAI, fakes: FakeUpstreams, dialect: str
) -> None:
    fakes[dialect].script(Reply(text="Summary: notes say 42.", usage=Usage(input=700, output=30)))
    compacted = client.responses.compact(model=MODEL_OF[dialect], input=HISTORY, instructions="Be brief.")
    assert compacted.object == "response.compaction"
    assert [item.type for item in compacted.output] == ["message", "compaction"]
    assert compacted.output[0].content[0].text == "Read notes.txt"  # type: ignore[union-attr]
    assert compacted.output[1].encrypted_content.startswith("dgc1.")  # type: ignore[union-attr]
    assert compacted.usage.input_tokens > 0


def test_a_damaged_sealed_compaction_is_a_400_naming_the_item(client: openai.OpenAI) -> None:
    sealed = "dgc1.eyJ2IjoxLCJzdW1tYXJ5IjoiaGkifQ.AAAAAAAAAAAAAAAAAAAAAA"
    with pytest.raises(openai.BadRequestError) as caught:
        client.responses.create(
            model=MODEL_OF["anthropic"], input=[{"type": "compaction", "encrypted_content": sealed}]
        )
    assert "input[0].encrypted_content" in caught.value.message


def test_a_trigger_not_last_is_a_400(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.responses.create(model=MODEL_OF["gemini"], input=[TRIGGER, _user("hi")])
    assert "final input item" in caught.value.message


@pytest.fixture
def openai_client(fakes: FakeUpstreams) -> Iterator[openai.OpenAI]:
    """A gateway whose gpt-5 is OpenAI's own API (the fake at its address), which compacts."""
    providers = providers_for(fakes)
    providers["up_openai_responses"] = {**providers["up_openai_responses"], "kind": "openai"}
    with serve_gateway(fakes, providers=providers) as root, _client(root) as client:
        yield client


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
def test_openai_compacts_itself_and_reads_its_own_item_back(
    openai_client: openai.OpenAI, fakes: FakeUpstreams, stream: bool
) -> None:
    fake = fakes["openai_responses"]
    fake.script(Reply(text="unused"), Reply(text="Continued."))
    output = _triggered(openai_client, MODEL_OF["openai_responses"], stream)
    assert [item.type for item in output] == ["compaction"]
    assert fake.last_json["input"][-1] == TRIGGER and fake.last.path == "/v1/responses"
    assert output[0].encrypted_content in fake.signatures  # the upstream's own
    later = [{"type": "compaction", "encrypted_content": output[0].encrypted_content}, _user("Go on.")]
    answer = openai_client.responses.create(model=MODEL_OF["openai_responses"], input=later, store=False)
    assert answer.output_text == "Continued."
    assert fake.last_json["input"][0]["encrypted_content"] == output[0].encrypted_content


def test_openai_compact_is_forwarded(openai_client: openai.OpenAI, fakes: FakeUpstreams) -> None:
    fake = fakes["openai_responses"]
    fake.script(Reply(text="unused", usage=Usage(input=500, output=20)))
    compacted = openai_client.responses.compact(model=MODEL_OF["openai_responses"], input=HISTORY)
    assert fake.last.path == "/v1/responses/compact"
    assert [item.type for item in compacted.output] == ["message", "compaction"]
    assert compacted.output[1].encrypted_content in fake.signatures  # type: ignore[union-attr]
    assert compacted.usage.input_tokens == 500


def _user(text: str) -> dict[str, Any]:
    return {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}


def test_openai_out_of_quota_is_a_429_and_cools_the_account(
    openai_client: openai.OpenAI, fakes: FakeUpstreams
) -> None:
    fakes["openai_responses"].script(Reply(error=Failure(429, "Rate limit reached", retry_after=30)))
    with pytest.raises(openai.RateLimitError):
        openai_client.responses.compact(model=MODEL_OF["openai_responses"], input=HISTORY)
    # The account cools: the next call is refused here, without reaching the upstream.
    before = len(fakes["openai_responses"].requests)
    with pytest.raises(openai.RateLimitError) as caught:
        openai_client.responses.compact(model=MODEL_OF["openai_responses"], input=HISTORY)
    assert "cooling" in caught.value.message
    assert len(fakes["openai_responses"].requests) == before

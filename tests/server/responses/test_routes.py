"""Stored Responses through the official `openai` SDK, against every upstream dialect:
kept (also across a restart), retrieved, deleted, their input listed page by page,
continued by `previous_response_id` (replayed, or sent on to the upstream that keeps it),
run in the background and cancelled."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import ExitStack, closing
from pathlib import Path
from typing import Any

import openai
import orjson
import pytest

from tests.fakes.fixtures import FakeUpstreams
from tests.fakes.script import Call, Reply
from tests.gateway import MODEL_OF, serve_gateway

DIALECTS = ["openai_chat", "openai_responses", "anthropic", "gemini"]
STATELESS = ["openai_chat", "anthropic", "gemini"]
WEATHER = {
    "type": "function",
    "name": "get_weather",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
}
REASONING = {"effort": "medium", "summary": "auto"}


@pytest.fixture
def client(fakes: FakeUpstreams) -> Iterator[openai.OpenAI]:
    with serve_gateway(fakes) as root, _client(root) as client:
        yield client


def _client(root: str) -> openai.OpenAI:
    return openai.OpenAI(api_key="unused", base_url=root + "/v1", max_retries=0)


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
@pytest.mark.parametrize("dialect", DIALECTS)
def test_kept_and_found_right_after_and_after_a_restart(
    fakes: FakeUpstreams, dialect: str, stream: bool
) -> None:
    fakes[dialect].script(Reply(text="Paris is sunny."))
    with serve_gateway(fakes) as root, _client(root) as client:
        created = _create(client, stream, model=MODEL_OF[dialect], input="Weather?", instructions="Be brief.")
        found = client.responses.retrieve(created.id)
    assert created.id.startswith("resp_") and created.output_text == "Paris is sunny."
    assert (found.id, found.status, found.output_text) == (created.id, "completed", "Paris is sunny.")
    assert found.instructions == "Be brief." and found.usage is not None and found.usage.total_tokens == 15
    # The same home: the same database.
    with serve_gateway(fakes) as root, _client(root) as client:
        again = client.responses.retrieve(created.id)
    assert again.model_dump() == found.model_dump()


def test_not_kept_with_store_false(client: openai.OpenAI, fakes: FakeUpstreams) -> None:
    created = client.responses.create(model=MODEL_OF["anthropic"], input="hi", store=False)
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(created.id)


def test_deleted(client: openai.OpenAI) -> None:
    created = client.responses.create(model=MODEL_OF["gemini"], input="hi")
    deleted = client.responses.with_raw_response.delete(created.id)
    assert deleted.status_code == 200
    assert orjson.loads(deleted.content) == {"id": created.id, "object": "response.deleted", "deleted": True}
    with pytest.raises(openai.NotFoundError) as caught:
        client.responses.retrieve(created.id)
    assert created.id in caught.value.message
    with pytest.raises(openai.NotFoundError):
        client.responses.delete(created.id)
    with pytest.raises(openai.BadRequestError) as refused:
        client.responses.create(model=MODEL_OF["gemini"], input="and?", previous_response_id=created.id)
    assert refused.value.code == "previous_response_not_found"


def test_another_key_finds_nothing(fakes: FakeUpstreams) -> None:
    keys = ["key-one-secret-1234", "key-two-secret-5678"]
    with serve_gateway(fakes, api_keys=keys) as root, ExitStack() as exits:
        mine = openai.OpenAI(api_key="key-one-secret-1234", base_url=root + "/v1", max_retries=0)
        theirs = openai.OpenAI(api_key="key-two-secret-5678", base_url=root + "/v1", max_retries=0)
        for opened in (mine, theirs):
            exits.callback(opened.close)
        created = mine.responses.create(model=MODEL_OF["openai_chat"], input="hi")
        assert mine.responses.retrieve(created.id).id == created.id
        with pytest.raises(openai.NotFoundError):
            theirs.responses.retrieve(created.id)
        with pytest.raises(openai.BadRequestError):
            theirs.responses.create(
                model=MODEL_OF["openai_chat"], input="and?", previous_response_id=created.id
            )


def test_input_items_paged_as_openai_does(client: openai.OpenAI) -> None:
    turns = [{"role": "user", "content": f"turn {number}"} for number in range(5)]
    created = client.responses.create(model=MODEL_OF["anthropic"], input=turns)  # type: ignore[arg-type]
    first = client.responses.input_items.list(created.id, limit=2, order="asc")
    texts = [_text(item) for item in first.data]
    assert texts == ["turn 0", "turn 1"] and first.has_more and first.last_id == first.data[-1].id
    everything = [_text(item) for item in client.responses.input_items.list(created.id, limit=2, order="asc")]
    assert everything == [f"turn {number}" for number in range(5)]  # the SDK pages on with `after`
    newest = client.responses.input_items.list(created.id)
    assert [_text(item) for item in newest.data] == [f"turn {number}" for number in reversed(range(5))]
    assert not newest.has_more and newest.first_id == newest.data[0].id
    # The SDK no longer names `before`; the API still takes it.
    before = client.responses.input_items.list(
        created.id, order="asc", extra_query={"before": newest.data[0].id}
    )
    assert [_text(item) for item in before.data] == [f"turn {number}" for number in range(4)]
    with pytest.raises(openai.BadRequestError):
        client.responses.input_items.list(created.id, limit=500)


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
@pytest.mark.parametrize("dialect", STATELESS)
def test_a_continuation_replays_the_conversation(
    client: openai.OpenAI, fakes: FakeUpstreams, dialect: str, stream: bool
) -> None:
    """The upstream keeps nothing: it gets the whole conversation, the reasoning and the
    tool call of the first answer included."""
    fake = fakes[dialect]
    fake.script(Reply(thinking="Look it up.", tool_calls=[Call("get_weather", {"city": "Paris"})]))
    first = client.responses.create(
        model=MODEL_OF[dialect],
        input="Weather in Paris?",
        tools=[WEATHER],
        reasoning=REASONING,  # type: ignore[list-item,arg-type]
    )
    call = next(item for item in first.output if item.type == "function_call")
    fake.script(Reply(text="Sunny."))
    second = _create(
        client,
        stream,
        model=MODEL_OF[dialect],
        previous_response_id=first.id,
        input=[{"type": "function_call_output", "call_id": call.call_id, "output": "sunny, 24C"}],
        tools=[WEATHER],
        reasoning=REASONING,
    )
    assert second.output_text == "Sunny." and second.previous_response_id == first.id
    sent = fake.last.json
    assert "previous_response_id" not in sent
    _assert_replayed(dialect, sent)
    assert client.responses.retrieve(second.id).previous_response_id == first.id


def test_a_chain_of_three_is_replayed_in_order(client: openai.OpenAI, fakes: FakeUpstreams) -> None:
    model = MODEL_OF["openai_chat"]
    one = client.responses.create(model=model, input="one")
    two = client.responses.create(model=model, input="two", previous_response_id=one.id)
    client.responses.create(model=model, input="three", previous_response_id=two.id)
    sent = [
        (message["role"], _plain(message["content"])) for message in fakes.openai_chat.last.json["messages"]
    ]
    assert sent == [
        ("user", "one"),
        ("assistant", "OK"),
        ("user", "two"),
        ("assistant", "OK"),
        ("user", "three"),
    ]


def test_a_continuation_goes_to_the_responses_upstream_that_keeps_it(
    client: openai.OpenAI, fakes: FakeUpstreams
) -> None:
    fake = fakes.openai_responses
    first = client.responses.create(model=MODEL_OF["openai_responses"], input="Weather in Paris?")
    assert first.id in fake.stored_responses  # the upstream's own id, kept by the upstream
    second = client.responses.create(
        model=MODEL_OF["openai_responses"], input="and Rome?", previous_response_id=first.id
    )
    assert second.previous_response_id == first.id
    assert fake.last.json["previous_response_id"] == first.id
    assert _plain_input(fake.last.json["input"]) == ["and Rome?"]


def test_a_continuation_of_another_upstreams_answer_is_replayed_to_a_responses_upstream(
    client: openai.OpenAI, fakes: FakeUpstreams
) -> None:
    first = client.responses.create(model=MODEL_OF["anthropic"], input="Weather in Paris?")
    client.responses.create(
        model=MODEL_OF["openai_responses"], input="and Rome?", previous_response_id=first.id
    )
    sent = fakes.openai_responses.last.json
    assert "previous_response_id" not in sent
    assert _plain_input(sent["input"]) == ["Weather in Paris?", "OK", "and Rome?"]


def test_a_kept_response_continued_on_a_model_its_account_does_not_serve_is_replayed(
    client: openai.OpenAI, fakes: FakeUpstreams
) -> None:
    first = client.responses.create(model=MODEL_OF["openai_responses"], input="Weather in Paris?")
    client.responses.create(model=MODEL_OF["anthropic"], input="and Rome?", previous_response_id=first.id)
    sent = [
        (message["role"], _plain(message["content"])) for message in fakes.anthropic.last.json["messages"]
    ]
    assert sent == [("user", "Weather in Paris?"), ("assistant", "OK"), ("user", "and Rome?")]


def test_input_tokens_count_the_replayed_conversation(client: openai.OpenAI, fakes: FakeUpstreams) -> None:
    first = client.responses.create(model=MODEL_OF["gemini"], input="one")
    # Gemini counts: its own count of the prompt (tests/server/test_upstream_count.py).
    alone = client.responses.input_tokens.count(model=MODEL_OF["gemini"], input="two")
    assert alone.input_tokens == fakes.gemini.token_count(fakes.gemini.last_json)
    # No model: no upstream to ask. ~4 characters a token and 4 a message (`ir.tokens`):
    # one, OK, two.
    continued = client.responses.input_tokens.count(input="two", previous_response_id=first.id)
    assert continued.input_tokens == 3 * 4 + 2
    with pytest.raises(openai.BadRequestError) as caught:
        client.responses.input_tokens.count(input="two", previous_response_id="resp_unknown")
    assert caught.value.code == "previous_response_not_found"


@pytest.mark.parametrize("dialect", DIALECTS)
def test_an_unknown_id_is_a_400_the_client_understands(
    client: openai.OpenAI, fakes: FakeUpstreams, dialect: str
) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.responses.create(
            model=MODEL_OF[dialect], input="and?", previous_response_id="resp_0123456789abcdef"
        )
    assert caught.value.code == "previous_response_not_found"
    assert caught.value.param == "previous_response_id"
    assert fakes[dialect].requests == []


def test_background_run_is_polled_to_its_end(client: openai.OpenAI, fakes: FakeUpstreams) -> None:
    fakes.anthropic.script(Reply(text="Done in the background.", delay_before_first_byte=0.3))
    queued = client.responses.create(model=MODEL_OF["anthropic"], input="work", background=True)
    assert queued.status == "queued" and queued.background is True
    done = _poll(client, queued.id)
    assert done.status == "completed" and done.output_text == "Done in the background."
    assert done.id == queued.id and done.background is True


def test_background_run_cancelled(client: openai.OpenAI, fakes: FakeUpstreams) -> None:
    fakes.gemini.script(Reply(text="never seen", delay_before_first_byte=5))
    queued = client.responses.create(model=MODEL_OF["gemini"], input="long work", background=True)
    cancelled = client.responses.cancel(queued.id)
    assert cancelled.status == "cancelled"
    assert client.responses.retrieve(queued.id).status == "cancelled"


def test_a_background_run_cut_by_a_stop_is_stored_as_cancelled(fakes: FakeUpstreams) -> None:
    fakes.anthropic.script(Reply(text="never seen", delay_before_first_byte=5))
    with serve_gateway(fakes) as root, _client(root) as client:
        queued = client.responses.create(model=MODEL_OF["anthropic"], input="long work", background=True)
    with serve_gateway(fakes) as root, _client(root) as client:
        assert client.responses.retrieve(queued.id).status == "cancelled"


def test_a_background_run_deleted_stays_deleted(client: openai.OpenAI, fakes: FakeUpstreams) -> None:
    fakes.openai_chat.script(Reply(text="never seen", delay_before_first_byte=0.5))
    queued = client.responses.create(model=MODEL_OF["openai_chat"], input="work", background=True)
    client.responses.delete(queued.id)
    time.sleep(0.8)  # past the moment its answer would have come
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(queued.id)


def test_only_a_background_response_is_cancelled(client: openai.OpenAI) -> None:
    created = client.responses.create(model=MODEL_OF["openai_chat"], input="hi")
    with pytest.raises(openai.BadRequestError):
        client.responses.cancel(created.id)


def test_background_refuses_what_openai_refuses(client: openai.OpenAI, fakes: FakeUpstreams) -> None:
    with pytest.raises(openai.BadRequestError) as unstored:
        client.responses.create(model=MODEL_OF["gemini"], input="x", background=True, store=False)
    assert unstored.value.param == "background"
    with pytest.raises(openai.BadRequestError):
        client.responses.create(model=MODEL_OF["gemini"], input="x", background=True, stream=True)
    assert fakes.gemini.requests == []


# --- helpers -------------------------------------------------------------------------


def _create(client: openai.OpenAI, stream: bool, **body: Any) -> Any:
    if not stream:
        return client.responses.create(**body)
    with client.responses.stream(**body) as events:
        for _ in events:
            pass
        return events.get_final_response()


def _poll(client: openai.OpenAI, response_id: str) -> Any:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = client.responses.retrieve(response_id)
        if found.status not in ("queued", "in_progress"):
            return found
        time.sleep(0.05)
    raise AssertionError(f"{response_id} still {found.status}")


def _text(item: Any) -> str:
    return str(item.content[0].text)


def _plain(content: Any) -> str:
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") for part in content)


def _plain_input(items: list[dict[str, Any]]) -> list[str]:
    return [_plain(item["content"]) for item in items if item.get("type", "message") == "message"]


def _assert_replayed(dialect: str, sent: dict[str, Any]) -> None:
    """The upstream got question, reasoning, call and result, in its own shapes."""
    text = orjson.dumps(sent).decode()
    assert "Weather in Paris?" in text and "sunny, 24C" in text
    if dialect == "anthropic":
        _question, assistant, result = sent["messages"]
        kinds = [block["type"] for block in assistant["content"]]
        assert kinds == ["thinking", "tool_use"] and assistant["content"][0]["thinking"] == "Look it up."
        assert result["content"][0]["tool_use_id"] == assistant["content"][1]["id"]
    elif dialect == "gemini":
        _question, model, result = sent["contents"]
        assert model["role"] == "model" and model["parts"][-1]["functionCall"]["name"] == "get_weather"
        assert any(part.get("thoughtSignature") for part in model["parts"])
        assert result["parts"][0]["functionResponse"]["name"] == "get_weather"
    else:
        _question, assistant, result = sent["messages"]
        assert assistant["tool_calls"][0]["function"]["name"] == "get_weather"
        assert result["role"] == "tool" and result["tool_call_id"] == assistant["tool_calls"][0]["id"]


@pytest.mark.parametrize("how", ["whole", "stream", "background"])
def test_a_response_its_client_has_is_already_in_the_database(
    fakes: FakeUpstreams, dragoman_home: Path, how: str
) -> None:
    """A crash right after an answer must not lose the response its client was told of
    (`bench crash` lost a third of them while they waited for the next batch)."""
    fakes["anthropic"].script(Reply(text="kept"))
    with serve_gateway(fakes) as root, _client(root) as client:
        if how == "background":
            created = client.responses.create(model=MODEL_OF["anthropic"], input="hi", background=True)
        else:
            created = _create(client, how == "stream", model=MODEL_OF["anthropic"], input="hi")
        with closing(sqlite3.connect(dragoman_home / "dragoman.db")) as database:
            rows = database.execute("SELECT id FROM responses WHERE id = ?", (created.id,)).fetchall()
        if how == "background":
            _poll(client, created.id)
    assert rows == [(created.id,)]

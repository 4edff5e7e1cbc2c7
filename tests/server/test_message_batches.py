"""The Message Batches endpoints through the official `anthropic` SDK, against a real
dragoman (uvicorn on loopback) whose upstreams are the fakes of every dialect."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import anthropic
import httpx
import orjson
import pytest
from anthropic.types.messages import MessageBatch

from dragoman.batches.wire import ID_PREFIX
from dragoman.policy.keys import Limit, LocalKey, digest
from dragoman.state import Period
from tests.fakes import Failure, Reply
from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import APPS, MODEL_OF, serve_gateway

KEY = "sk-local-batches-0123456789"


@pytest.fixture
def gateway(fakes: FakeUpstreams) -> Iterator[str]:
    with serve_gateway(fakes, api_keys=[KEY]) as url:
        yield url


def client(url: str, key: str = KEY) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=url, api_key=key, max_retries=0)


def request(custom_id: str, model: str, text: str = "hi") -> dict:
    params = {"model": model, "max_tokens": 64, "messages": [{"role": "user", "content": text}]}
    return {"custom_id": custom_id, "params": params}


def ended(sdk: anthropic.Anthropic, batch_id: str, timeout: float = 30.0) -> MessageBatch:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        batch = sdk.messages.batches.retrieve(batch_id)
        if batch.processing_status == "ended":
            return batch
        time.sleep(0.05)
    raise AssertionError(f"batch {batch_id} did not end within {timeout} s")


@pytest.mark.parametrize("dialect", ["openai_chat", "openai_responses", "anthropic", "gemini"])
def test_a_batch_is_answered_by_an_upstream_of_each_dialect(
    gateway: str, fakes: FakeUpstreams, dialect: str
) -> None:
    sdk = client(gateway)
    fakes[dialect].script(Reply(text="first"), Reply(text="second"))
    model = MODEL_OF[dialect]
    batch = sdk.messages.batches.create(requests=[request("a", model, "one"), request("b", model, "two")])
    assert batch.id.startswith(ID_PREFIX) and batch.type == "message_batch"
    assert batch.processing_status == "in_progress" and batch.results_url is None
    assert batch.request_counts.processing == 2
    done = ended(sdk, batch.id)
    assert done.request_counts.succeeded == 2 and done.request_counts.processing == 0
    assert done.ended_at is not None and done.results_url is not None
    results = {line.custom_id: line.result for line in sdk.messages.batches.results(batch.id)}
    assert set(results) == {"a", "b"}
    texts = sorted(result.message.content[0].text for result in results.values())
    assert texts == ["first", "second"]
    assert {(result.type, result.message.role) for result in results.values()} == {("succeeded", "assistant")}
    assert len(fakes[dialect].requests) == 2


def test_results_say_which_requests_failed_and_why(gateway: str, fakes: FakeUpstreams) -> None:
    sdk = client(gateway)
    fakes.anthropic.script(Reply(text="fine"), Reply(error=Failure(status=400, message="bad prompt")))
    model = MODEL_OF["anthropic"]
    unknown = request("c", "no-such-model")
    batch = sdk.messages.batches.create(requests=[request("a", model), request("b", model), unknown])
    done = ended(sdk, batch.id)
    assert (done.request_counts.succeeded, done.request_counts.errored) == (1, 2)
    raw = httpx.get(done.results_url or "", headers={"x-api-key": KEY})
    lines = [orjson.loads(line) for line in raw.content.splitlines()]
    assert [line["custom_id"] for line in lines] == ["a", "b", "c"]
    assert lines[0]["result"]["type"] == "succeeded"
    assert lines[0]["result"]["message"]["content"] == [{"type": "text", "text": "fine"}]
    failed = lines[1]["result"]
    assert failed["type"] == "errored" and failed["error"]["type"] == "error"
    assert failed["error"]["error"] == {"type": "invalid_request_error", "message": "bad prompt"}
    assert lines[2]["result"]["error"]["error"]["type"] == "not_found_error"
    assert "no-such-model" in lines[2]["result"]["error"]["error"]["message"]


def test_cancel_mid_way_cancels_what_was_not_sent(fakes: FakeUpstreams) -> None:
    with serve_gateway(fakes, api_keys=[KEY], batches={"concurrency": 1}) as url:
        sdk = client(url)
        fakes.anthropic.script(*[Reply(text="slow", delay_before_first_byte=0.5)] * 6)
        items = [request(f"r{n}", MODEL_OF["anthropic"]) for n in range(6)]
        batch = sdk.messages.batches.create(requests=items)
        eventually(lambda: fakes.anthropic.requests)
        canceling = sdk.messages.batches.cancel(batch.id)
        assert canceling.processing_status == "canceling" and canceling.cancel_initiated_at is not None
        done = ended(sdk, batch.id)
        counts = done.request_counts
        assert counts.succeeded == len(fakes.anthropic.requests) == 1
        assert counts.canceled == 5 and counts.processing == 0
        kinds = sorted(line.result.type for line in sdk.messages.batches.results(batch.id))
        assert kinds == ["canceled"] * 5 + ["succeeded"]


def test_no_more_requests_at_once_than_the_concurrency(fakes: FakeUpstreams) -> None:
    with serve_gateway(fakes, api_keys=[KEY], batches={"concurrency": 3}) as url:
        sdk = client(url)
        fakes.openai_chat.script(*[Reply(text="x", delay_before_first_byte=0.1)] * 12)
        items = [request(f"r{n}", MODEL_OF["openai_chat"]) for n in range(12)]
        done = ended(sdk, sdk.messages.batches.create(requests=items).id)
        assert done.request_counts.succeeded == 12
        assert fakes.openai_chat.most_at_once == 3


def test_list_pages_newest_first_and_delete_only_once_ended(gateway: str, fakes: FakeUpstreams) -> None:
    sdk = client(gateway)
    made = [sdk.messages.batches.create(requests=[request("a", MODEL_OF["gemini"])]).id for _ in range(5)]
    first = sdk.messages.batches.list(limit=2)
    assert [batch.id for batch in first.data] == made[::-1][:2]
    assert first.has_more and first.first_id == made[4] and first.last_id == made[3]
    assert [batch.id for batch in sdk.messages.batches.list(limit=2)] == made[::-1]  # the SDK pages on
    before = sdk.messages.batches.list(limit=2, before_id=made[0])
    assert [batch.id for batch in before.data] == [made[2], made[1]] and before.has_more
    for batch_id in made:
        ended(sdk, batch_id)
    deleted = sdk.messages.batches.delete(made[0])
    assert (deleted.id, deleted.type) == (made[0], "message_batch_deleted")
    with pytest.raises(anthropic.NotFoundError):
        sdk.messages.batches.retrieve(made[0])
    assert [batch.id for batch in sdk.messages.batches.list()] == made[:0:-1]


def test_a_batch_running_cannot_be_deleted_nor_its_results_read(fakes: FakeUpstreams) -> None:
    with serve_gateway(fakes, api_keys=[KEY]) as url:
        sdk = client(url)
        fakes.anthropic.script(Reply(text="slow", delay_before_first_byte=1.0))
        batch = sdk.messages.batches.create(requests=[request("a", MODEL_OF["anthropic"])])
        with pytest.raises(anthropic.BadRequestError, match="cancel it"):
            sdk.messages.batches.delete(batch.id)
        raw = httpx.get(f"{url}/v1/messages/batches/{batch.id}/results", headers={"x-api-key": KEY})
        assert raw.status_code == 400 and "not ended" in raw.json()["error"]["message"]
        ended(sdk, batch.id)


@pytest.mark.parametrize(
    ("requests", "says"),
    [
        ([], "non-empty list"),
        ([{"custom_id": "a", "params": {}}], "requests.0.params"),
        ([{"custom_id": "a b", "params": {}}], "requests.0.custom_id"),
        ("x", "non-empty list"),
    ],
)
def test_a_bad_batch_is_refused_as_anthropic_does(gateway: str, requests: object, says: str) -> None:
    answer = httpx.post(
        f"{gateway}/v1/messages/batches", json={"requests": requests}, headers={"x-api-key": KEY}
    )
    assert answer.status_code == 400
    assert answer.json()["type"] == "error" and answer.json()["error"]["type"] == "invalid_request_error"
    assert says in answer.json()["error"]["message"]


def test_duplicate_ids_and_streamed_params_are_refused(gateway: str) -> None:
    sdk = client(gateway)
    model = MODEL_OF["anthropic"]
    with pytest.raises(anthropic.BadRequestError, match="used twice"):
        sdk.messages.batches.create(requests=[request("a", model), request("a", model)])
    streamed = request("a", model)
    streamed["params"]["stream"] = True
    with pytest.raises(anthropic.BadRequestError, match="cannot be streamed"):
        sdk.messages.batches.create(requests=[streamed])
    with pytest.raises(anthropic.NotFoundError):
        sdk.messages.batches.retrieve("msgbatch_01nothere")
    with pytest.raises(anthropic.AuthenticationError):
        client(gateway, key="wrong").messages.batches.list()


def eventually(check: Callable[[], object], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s")
        time.sleep(0.02)


def test_a_named_keys_limits_hold_each_request_and_it_sees_its_own_batches(fakes: FakeUpstreams) -> None:
    alice = LocalKey("alice", limits=(Limit("requests", "requests", 2, Period.fixed("day")),))
    bob = LocalKey("bob")
    with serve_gateway(fakes, api_keys=[KEY]) as url:
        APPS[url].state.key_ring.replace([(digest(f"dk-{key.name}-5f0c2a9e"), key) for key in (alice, bob)])
        as_alice, as_bob = client(url, "dk-alice-5f0c2a9e"), client(url, "dk-bob-5f0c2a9e")
        items = [request(f"r{n}", MODEL_OF["openai_chat"]) for n in range(4)]
        batch = as_alice.messages.batches.create(requests=items)
        done = ended(as_alice, batch.id)
        assert (done.request_counts.succeeded, done.request_counts.errored) == (2, 2)
        refused = [
            line.result
            for line in as_alice.messages.batches.results(batch.id)
            if line.result.type == "errored"
        ]
        assert {result.error.error.type for result in refused} == {"permission_error"}
        assert all(
            "key 'alice' is over its requests 2/day" in result.error.error.message for result in refused
        )
        assert len(fakes.openai_chat.requests) == 2
        with pytest.raises(anthropic.NotFoundError):
            as_bob.messages.batches.retrieve(batch.id)
        with pytest.raises(anthropic.NotFoundError):
            as_bob.messages.batches.cancel(batch.id)
        assert as_bob.messages.batches.list().data == []
        assert [found.id for found in client(url).messages.batches.list()] == [batch.id]

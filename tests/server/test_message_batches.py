"""The Message Batches endpoints through the official `anthropic` SDK, against a real
dragoman (uvicorn on loopback) whose upstreams are the fakes of every dialect."""

from __future__ import annotations

import time
from collections.abc import Iterator

import anthropic
import pytest
from anthropic.types.messages import MessageBatch

from dragoman.batches.wire import ID_PREFIX
from tests.fakes import Reply
from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import MODEL_OF, serve_gateway

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

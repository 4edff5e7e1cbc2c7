"""The Message Batches API's shapes: ids, the create body's checks, a batch as JSON."""

from __future__ import annotations

import re

import pytest
from anthropic.types.messages import MessageBatch

from dragoman.batches.wire import MAX_REQUESTS, Batch, checked_requests, new_id, rfc3339
from dragoman.ir.errors import InvalidRequest

PARAMS = {"model": "m", "max_tokens": 8, "messages": [{"role": "user", "content": "hi"}]}


def test_ids_look_like_anthropics() -> None:
    made = {new_id() for _ in range(100)}
    assert len(made) == 100
    assert all(re.fullmatch(r"msgbatch_01[A-Za-z0-9]{22}", batch_id) for batch_id in made)


def test_a_batch_reads_as_the_sdks_message_batch() -> None:
    running = Batch("msgbatch_01x", "", 0.0, 86400.0, None, None, {"queued": 2, "running": 1, "errored": 1})
    shown = MessageBatch.model_validate(running.shown("http://h:1/"))
    assert shown.processing_status == "in_progress" and shown.results_url is None
    assert shown.request_counts.processing == 3 and shown.request_counts.errored == 1
    assert shown.created_at.timestamp() == 0.0 and shown.expires_at.timestamp() == 86400.0
    ended = Batch("msgbatch_01x", "", 0.0, 86400.0, 5.0, 9.5, {"canceled": 4})
    done = MessageBatch.model_validate(ended.shown("http://h:1/"))
    assert done.processing_status == "ended" and done.request_counts.canceled == 4
    assert done.results_url == "http://h:1/v1/messages/batches/msgbatch_01x/results"
    assert rfc3339(9.5) == "1970-01-01T00:00:09.500Z" and rfc3339(None) is None


def test_a_canceled_batch_not_ended_is_canceling() -> None:
    assert Batch("b", "", 0.0, 1.0, 0.5, None, {}).status == "canceling"


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({}, "non-empty list"),
        ({"requests": [1]}, "requests.0: an object"),
        ({"requests": [{"custom_id": "x" * 65, "params": PARAMS}]}, "requests.0.custom_id"),
        ({"requests": [{"custom_id": "a", "params": []}]}, "requests.0.params: an object"),
        ({"requests": [{"custom_id": "a", "params": {"model": "m"}}]}, "requests.0.params: "),
        ({"requests": [{"custom_id": "a", "params": PARAMS}] * 2}, "requests.1.custom_id: 'a' is used twice"),
        ({"requests": [{"custom_id": "a", "params": {**PARAMS, "stream": True}}]}, "cannot be streamed"),
        ({"requests": [{"custom_id": "a", "params": PARAMS}] * (MAX_REQUESTS + 1)}, "at most 100000"),
    ],
)
def test_a_bad_create_body_names_its_fault(body: object, says: str) -> None:
    with pytest.raises(InvalidRequest, match=re.escape(says)):
        checked_requests(body)


def test_a_good_create_body_is_its_ids_and_params() -> None:
    body = {"requests": [{"custom_id": "a-1", "params": PARAMS}, {"custom_id": "b_2", "params": PARAMS}]}
    assert checked_requests(body) == [("a-1", PARAMS), ("b_2", PARAMS)]

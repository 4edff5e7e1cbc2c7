"""The fake Kiro is honest: its event stream decodes with AWS's own decoder (botocore's,
which checks both CRCs), dragoman's decoder reads the same messages from it, and its
runtime refuses what peers found Kiro refusing."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import orjson
import pytest
from botocore.eventstream import EventStreamBuffer

from dragoman.providers.kiro.eventstream import Decoder
from tests.fakes.kiro import PROFILE_ARN, KiroFake
from tests.fakes.kiro_frames import answer_frames, cut, exception
from tests.fakes.script import Call, Reply

REPLY = Reply(text="Hello there", thinking="hmm", tool_calls=[Call("weather", {"city": "Paris"}, id="t1")])


def _botocore(data: bytes) -> list[tuple[dict[str, object], bytes]]:
    buffer = EventStreamBuffer()
    buffer.add_data(data)
    return [(message.headers, message.payload) for message in buffer]


def test_the_fakes_frames_decode_with_aws_own_decoder_and_with_dragomans() -> None:
    data = b"".join([*answer_frames(REPLY), exception("ThrottlingException", "slow")])
    theirs = _botocore(data)
    decoder = Decoder()
    ours = [(frame.headers, frame.payload) for chunk in cut(data, 9) for frame in decoder.feed(chunk)]
    assert ours == theirs
    types = [headers.get(":event-type") or headers.get(":exception-type") for headers, _ in theirs]
    assert (
        types[:2] == ["reasoningContentEvent", "assistantResponseEvent"]
        and types[-1] == "ThrottlingException"
    )
    assert "toolUseEvent" in types


@pytest.fixture
def kiro() -> Iterator[KiroFake]:
    fake = KiroFake().start()
    try:
        yield fake
    finally:
        fake.stop()


def _post(kiro: KiroFake, body: dict[str, object], **headers: str) -> httpx.Response:
    token = kiro.new_tokens()["accessToken"]
    sent = {
        "authorization": f"Bearer {token}",
        "user-agent": "aws-sdk-js KiroIDE-0.7.45-x",
        "amz-sdk-invocation-id": "1",
    }
    return httpx.post(
        f"{kiro.url}/generateAssistantResponse", content=orjson.dumps(body), headers={**sent, **headers}
    )


def _body(**state: object) -> dict[str, object]:
    current = {"content": "Hi", "modelId": "claude-sonnet-4.5", "origin": "AI_EDITOR"}
    base = {
        "chatTriggerType": "MANUAL",
        "conversationId": "c1",
        "currentMessage": {"userInputMessage": current},
    }
    return {"conversationState": {**base, **state}, "profileArn": PROFILE_ARN}


def test_a_good_request_gets_the_event_stream(kiro: KiroFake) -> None:
    answer = _post(kiro, _body())
    assert (
        answer.status_code == 200 and answer.headers["content-type"] == "application/vnd.amazon.eventstream"
    )
    texts = [
        orjson.loads(payload)["content"]
        for headers, payload in _botocore(answer.content)
        if headers[":event-type"] == "assistantResponseEvent"
    ]
    assert "".join(texts) == "OK"


@pytest.mark.parametrize(
    "history",
    [
        [{"assistantResponseMessage": {"content": "I start"}}],
        [{"userInputMessage": {"content": "a", "modelId": "auto", "origin": "AI_EDITOR"}}],
        [
            {
                "userInputMessage": {
                    "content": "a",
                    "modelId": "auto",
                    "origin": "AI_EDITOR",
                    "userInputMessageContext": {"tools": []},
                }
            },
            {"assistantResponseMessage": {"content": "b"}},
        ],
    ],
    ids=["starts-with-assistant", "ends-with-user", "tools-in-history"],
)
def test_a_malformed_history_is_refused_as_kiro_does(kiro: KiroFake, history: list[object]) -> None:
    answer = _post(kiro, _body(history=history))
    assert answer.status_code == 400 and answer.json()["message"].startswith("Improperly formed request.")


def test_a_stale_token_is_refused_with_403(kiro: KiroFake) -> None:
    answer = httpx.post(
        f"{kiro.url}/generateAssistantResponse", json=_body(), headers={"authorization": "Bearer old"}
    )
    assert answer.status_code == 403 and "bearer token" in answer.json()["message"]

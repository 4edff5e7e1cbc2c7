"""The fake Cursor's model list is honest: a Connect unary call whose answer is raw
protobuf that Google's own library parses, and dragoman's reader gives the same models
from; refusals are Connect's JSON errors with the code's HTTP status."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from dragoman.providers.cursor.models import parse_list
from tests.fakes.cursor import CursorFake
from tests.fakes.cursor_proto import CLASSES

CONNECT = {"content-type": "application/proto", "connect-protocol-version": "1"}
PATH = "/agent.v1.AgentService/GetUsableModels"


@pytest.fixture
def cursor() -> Iterator[CursorFake]:
    fake = CursorFake().start()
    try:
        yield fake
    finally:
        fake.stop()


def _call(cursor: CursorFake, token: str, body: bytes = b"", **headers: str) -> httpx.Response:
    sent = {**CONNECT, "authorization": f"Bearer {token}", **headers}
    return httpx.post(f"{cursor.url}{PATH}", content=body, headers=sent)


def test_the_list_is_protobuf_read_alike_by_google_and_by_dragoman(cursor: CursorFake) -> None:
    answer = _call(cursor, cursor.new_access())
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/proto"
    theirs = CLASSES["GetUsableModelsResponse"]()
    theirs.ParseFromString(answer.content)
    ours = parse_list(answer.content)
    assert [info.id for info in ours] == [model.model_id for model in theirs.models]
    assert [info.reasoning for info in ours] == [
        model.HasField("thinking_details") for model in theirs.models
    ]
    assert [info.display_name for info in ours] == [model.display_name for model in theirs.models]


@pytest.mark.parametrize(
    ("headers", "body", "status", "code"),
    [
        ({"authorization": "Bearer not-a-cursor-token"}, b"", 401, "unauthenticated"),
        ({"content-type": "application/json"}, b"{}", 415, "unknown"),
        ({"connect-protocol-version": "0"}, b"", 400, "invalid_argument"),
        ({}, bytes([0x0A, 9]), 400, "invalid_argument"),
    ],
    ids=["token", "json", "protocol version", "damaged body"],
)
def test_refusals_are_connect_json_errors(
    cursor: CursorFake, headers: dict[str, str], body: bytes, status: int, code: str
) -> None:
    answer = _call(cursor, cursor.new_access(), body, **headers)
    assert answer.status_code == status and answer.headers["content-type"] == "application/json"
    assert answer.json()["code"] == code and answer.json()["message"]

"""`previous_response_id` asks the upstream for a conversation it stored. dragoman stores
none, so only a Responses upstream that keeps state can honour it: every other upstream
answers 400 `previous_response_not_found` in the Responses error shape, before anything
is sent, instead of answering the new turn alone as if the context were there."""

from __future__ import annotations

import httpx
import pytest

from dragoman import dialects
from dragoman.dialects.state import PreviousResponseNotFound
from dragoman.ir.errors import InvalidRequest
from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import MODEL_OF

BODY = {"input": "and then?", "previous_response_id": "resp_earlier", "store": True}
STATELESS = ["openai_chat", "anthropic", "gemini"]


def test_parsed_into_the_request_and_type_checked() -> None:
    parse = dialects.get("openai_responses").request.parse
    assert parse({"model": "m", **BODY}).previous_response_id == "resp_earlier"
    assert "previous_response_id" not in parse({"model": "m", **BODY}).extras
    with pytest.raises(InvalidRequest, match=r"^previous_response_id: expected a string"):
        parse({"model": "m", "input": "x", "previous_response_id": 5})


@pytest.mark.parametrize("upstream", STATELESS)
def test_a_stateless_upstream_renders_no_request(upstream: str) -> None:
    request = dialects.get("openai_responses").request.parse({"model": "m", **BODY})
    with pytest.raises(PreviousResponseNotFound) as caught:
        dialects.get(upstream).request.render(request, model="m", origin="up")
    assert caught.value.status == 400
    assert caught.value.param == "previous_response_id"
    assert "resp_earlier" in caught.value.message


@pytest.mark.parametrize("stream", [False, True], ids=["whole", "stream"])
@pytest.mark.parametrize("upstream", STATELESS)
def test_over_http_a_stateless_upstream_is_a_400(
    gateway: str, fakes: FakeUpstreams, upstream: str, stream: bool
) -> None:
    response = httpx.post(
        gateway + "/v1/responses", json={"model": MODEL_OF[upstream], "stream": stream, **BODY}, timeout=30
    )
    assert response.status_code == 400, response.text
    assert response.json() == {
        "error": {
            "message": response.json()["error"]["message"],
            "type": "invalid_request_error",
            "param": "previous_response_id",
            "code": "previous_response_not_found",
        }
    }
    assert "resp_earlier" in response.json()["error"]["message"]
    assert fakes[upstream].requests == []


def test_over_http_a_responses_upstream_gets_it(gateway: str, fakes: FakeUpstreams) -> None:
    response = httpx.post(
        gateway + "/v1/responses", json={"model": MODEL_OF["openai_responses"], **BODY}, timeout=30
    )
    assert response.status_code == 200, response.text
    assert fakes.openai_responses.last.json["previous_response_id"] == "resp_earlier"
    assert response.json()["previous_response_id"] == "resp_earlier"

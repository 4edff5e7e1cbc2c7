"""`previous_response_id` names a stored conversation. An upstream that keeps none never
gets the id (its renderer refuses it, before anything is sent), and an id dragoman did
not store is a 400 `previous_response_not_found` in the Responses error shape, instead of
an answer to the new turn alone as if the context were there. Continuations of stored
responses: tests/server/responses."""

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
@pytest.mark.parametrize("upstream", [*STATELESS, "openai_responses"])
def test_over_http_an_id_dragoman_did_not_store_is_a_400(
    gateway: str, fakes: FakeUpstreams, upstream: str, stream: bool
) -> None:
    """Whatever the upstream: the client (Codex) then sends the whole conversation."""
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

"""Thinking signatures when a conversation moves between accounts and providers, and the
one retry without reasoning when an upstream refuses a signature: a real dragoman in
front of the fake upstreams, which accept only the signatures they issued and refuse
others with their provider's real 400 body."""

from __future__ import annotations

import time
from typing import Any

import httpx

from tests.fakes import Failure, Reply
from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import serve_gateway
from tests.server.test_pooling import ANTHROPIC, OPUS, pool, reached, unified_429

FILL_FIRST = {"strategy": "fill-first"}
THINKING = {"type": "enabled", "budget_tokens": 1024}
OPENING = [{"role": "user", "content": "Plan a trip."}]
REFUSED = "messages.1.content.0: Invalid `signature` in `thinking` block"


def claude(url: str, messages: list[dict[str, Any]]) -> httpx.Response:
    body = {"model": OPUS, "max_tokens": 4096, "thinking": THINKING, "messages": messages}
    return httpx.post(url + "/v1/messages", json=body, headers=ANTHROPIC, timeout=10)


def first_turn(url: str, fakes: FakeUpstreams) -> list[dict[str, Any]]:
    """A conversation whose assistant turn carries signed thinking, ready to go on."""
    fakes.anthropic.script(Reply(thinking="Ask where to.", text="Where to?"))
    answer = claude(url, OPENING)
    assert answer.status_code == 200, answer.text
    content = answer.json()["content"]
    assert content[0]["type"] == "thinking" and content[0]["signature"].startswith("dgm2~")
    return [*OPENING, {"role": "assistant", "content": content}, {"role": "user", "content": "Lisbon."}]


def blocks(request_json: dict[str, Any]) -> list[str]:
    return [block["type"] for message in request_json["messages"] for block in _content(message)]


def _content(message: dict[str, Any]) -> list[dict[str, Any]]:
    content = message["content"]
    return [{"type": "text"}] if isinstance(content, str) else content


def test_a_conversation_moved_to_another_account_leaves_its_thinking_behind(fakes: FakeUpstreams) -> None:
    with serve_gateway(fakes, providers=pool(fakes.anthropic, ["a", "b"], [OPUS]), pools=FILL_FIRST) as url:
        conversation = first_turn(url, fakes)
        issued = set(fakes.anthropic.signatures)
        fakes.anthropic.script(unified_429(time.time() + 3600), Reply(text="Lisbon it is."))
        answer = claude(url, conversation)
        assert answer.status_code == 200, answer.text
        reply = {"role": "assistant", "content": answer.json()["content"]}
        again = claude(url, [*conversation, reply, {"role": "user", "content": "In May."}])
    assert again.status_code == 200, again.text
    assert reached(fakes.anthropic) == ["a", "a", "b", "b"]  # a is cooling: b takes the conversation
    on_a, on_b = fakes.anthropic.requests[1], fakes.anthropic.requests[2]
    assert "thinking" in blocks(on_a.json)  # a gets its own signature back
    # Signatures do not cross accounts (ir.reasoning): b gets the text, no thinking.
    assert blocks(on_b.json) == ["text", "text", "text"]
    assert not any(signature in on_b.body.decode() for signature in issued)
    assert "dgm" not in on_b.body.decode()


def test_a_conversation_moved_to_another_provider_leaves_its_thinking_behind(fakes: FakeUpstreams) -> None:
    providers = {**pool(fakes.anthropic, ["a"], [OPUS]), **pool(fakes.openai_responses, ["o"], [OPUS])}
    with serve_gateway(fakes, providers=providers, pools=FILL_FIRST) as url:
        conversation = first_turn(url, fakes)
        issued = set(fakes.anthropic.signatures)
        fakes.anthropic.script(unified_429(time.time() + 3600))
        fakes.openai_responses.script(Reply(text="Lisbon it is."))
        answer = claude(url, conversation)
    assert answer.status_code == 200, answer.text
    assert answer.json()["content"] == [{"type": "text", "text": "Lisbon it is."}]
    sent = fakes.openai_responses.last
    raw = sent.body.decode()
    assert not any(signature in raw for signature in issued)  # nothing foreign, nothing forged
    assert "dgm" not in raw
    items = sent.json["input"]
    assert all(item.get("type") != "reasoning" and "encrypted_content" not in item for item in items)
    assert "Ask where to." not in raw  # the thinking text is not passed off as something said
    assert "Where to?" in raw  # what the assistant said is kept


def test_a_refused_signature_is_retried_once_on_the_same_account_without_thinking(
    fakes: FakeUpstreams,
) -> None:
    with serve_gateway(fakes, providers=pool(fakes.anthropic, ["a", "b"], [OPUS]), pools=FILL_FIRST) as url:
        conversation = first_turn(url, fakes)
        fakes.anthropic.signatures.clear()  # the upstream no longer accepts what it issued
        fakes.anthropic.script(Reply(text="Lisbon it is."), Reply(text="Still a."))
        answer = claude(url, conversation)
        later = claude(url, OPENING)
    assert answer.status_code == 200, answer.text
    assert answer.json()["content"] == [{"type": "text", "text": "Lisbon it is."}]
    assert later.status_code == 200
    # One refusal (the fake's real 400), one retry on a, and a is not cooled for it.
    assert reached(fakes.anthropic) == ["a", "a", "a", "a"]
    refused, retried = fakes.anthropic.requests[1], fakes.anthropic.requests[2]
    assert "thinking" in blocks(refused.json)
    assert "thinking" not in blocks(retried.json)
    assert "Where to?" in retried.body.decode()  # what was said stays


def test_a_second_refusal_goes_to_the_client_in_its_dialect(fakes: FakeUpstreams) -> None:
    refusal = Failure(400, REFUSED, kind="invalid_request_error")
    with serve_gateway(fakes, providers=pool(fakes.anthropic, ["a", "b"], [OPUS]), pools=FILL_FIRST) as url:
        conversation = first_turn(url, fakes)
        fakes.anthropic.signatures.clear()
        fakes.anthropic.script(Reply(error=refusal), Reply(text="Still a."))
        answer = claude(url, conversation)
        later = claude(url, OPENING)
    assert answer.status_code == 400
    error = answer.json()
    assert error["type"] == "error"
    assert error["error"]["type"] == "invalid_request_error"
    assert "Invalid `signature`" in error["error"]["message"]
    assert later.status_code == 200
    assert reached(fakes.anthropic) == ["a", "a", "a", "a"]  # never another account for it


def test_a_refused_encrypted_content_is_retried_without_reasoning(fakes: FakeUpstreams) -> None:
    body: dict[str, Any] = {
        "model": "gpt-5",
        "input": "Plan a trip.",
        "reasoning": {"effort": "low", "summary": "auto"},
        "include": ["reasoning.encrypted_content"],
        "store": False,
    }
    providers = pool(fakes.openai_responses, ["a", "b"], ["gpt-5"])
    with serve_gateway(fakes, providers=providers, pools=FILL_FIRST) as url:
        fakes.openai_responses.script(Reply(thinking="Ask where to.", text="Where to?"), Reply(text="Go."))
        first = httpx.post(url + "/v1/responses", json=body, timeout=10).json()
        assert first["output"][0]["encrypted_content"].startswith("dgm2~")
        fakes.openai_responses.signatures.clear()
        turn = [*OPENING, *first["output"], {"role": "user", "content": "Lisbon."}]
        answer = httpx.post(url + "/v1/responses", json={**body, "input": turn}, timeout=10)
    assert answer.status_code == 200, answer.text
    assert reached(fakes.openai_responses) == ["a", "a", "a"]
    refused, retried = fakes.openai_responses.requests[1], fakes.openai_responses.requests[2]
    assert any(item.get("type") == "reasoning" for item in refused.json["input"])
    assert all(item.get("type") != "reasoning" for item in retried.json["input"])

"""A reasoning turn with a tool call, the conversation sent back to the same upstream, then on
to another provider.

Each fake accepts only the reasoning tokens it issued itself, so a second turn succeeding
means the token went back intact (or was rightly left out), and a third turn to a different
provider succeeding means nothing foreign reached it.
"""

from __future__ import annotations

import base64
from typing import Any

from tests.conformance.clients import Conversation
from tests.conformance.scenario import ARGS, DIALECTS, RESULTS, WEATHER
from tests.conformance.upstreams import VIEWS, View, answered
from tests.fakes import Call, Fake, Reply
from tests.fakes.fixtures import FakeUpstreams
from tests.gateway import MODEL_OF

THOUGHT = "The user wants the weather; call the tool."
# Dialects with reasoning on the wire: thinking text a client can ask to see, and an opaque
# token to send back. Chat Completions has neither (dragoman adds `reasoning_content`, which
# a Chat client reads but cannot ask for).
REASONING = {"openai_responses", "anthropic", "gemini"}
# dragoman's wrapping of a client-facing token (both versions), plain and as Gemini clients
# get it (base64).
WRAPPED = tuple(
    marker
    for tag in (b"dgm1~", b"dgm2~")
    for marker in (tag.decode(), base64.urlsafe_b64encode(tag).decode()[:6])
)


def elsewhere(dialect: str) -> str:
    """Another provider for the third turn: the next dialect round the list."""
    return DIALECTS[(DIALECTS.index(dialect) + 1) % len(DIALECTS)]


def test_reasoning_round_trip(
    talk: Conversation, fakes: FakeUpstreams, upstream: Fake, upstream_dialect: str, view: View
) -> None:
    upstream.script(
        Reply(thinking=THOUGHT, text="Let me check.", tool_calls=[Call(WEATHER.name, ARGS[WEATHER.name])]),
        Reply(text="It is 18C and sunny."),
    )
    talk.think()
    talk.tools([WEATHER])
    talk.user("Weather in Paris?")

    first = talk.send()

    assert view.reasoning_asked(upstream.last.json)
    assert [(call.name, call.args) for call in first.calls] == [(WEATHER.name, ARGS[WEATHER.name])]
    assert first.text == "Let me check."
    # Anthropic shows an `enabled` budget's thinking unasked.
    shown = talk.dialect in REASONING or upstream_dialect == "anthropic"
    assert first.reasoning == (THOUGHT if shown and upstream_dialect in REASONING else "")
    issued = set(upstream.signatures)
    if upstream_dialect in REASONING:
        assert issued, "dragoman did not ask for the reasoning token it needs to carry on"
        if talk.dialect in REASONING:
            assert first.signatures, "the client got no reasoning token to send back"

    talk.answer_calls(RESULTS)
    second = talk.send()

    assert second.text == "It is 18C and sunny."
    body = upstream.last.json
    returned = view.signatures(body)
    assert set(returned) <= issued
    if talk.dialect in REASONING:
        assert set(returned) == issued, "the upstream did not get its own reasoning token back"
    assert not any(marker in upstream.last.body.decode() for marker in WRAPPED)
    assert answered(view, body) == {WEATHER.name: _result_text(view, body)}

    _on_to_another_provider(talk, fakes, upstream, elsewhere(upstream_dialect))


def _result_text(view: View, body: dict[str, Any]) -> str:
    (result,) = view.results(body)
    assert RESULTS[WEATHER.name] in result.text
    return result.text


def _on_to_another_provider(talk: Conversation, fakes: FakeUpstreams, previous: Fake, dialect: str) -> None:
    other = fakes[dialect]
    other.script(Reply(thinking="Tomorrow, then.", text="Rain tomorrow."))
    talk.model = MODEL_OF[dialect]
    talk.user("And tomorrow?")

    third = talk.send()

    assert third.text == "Rain tomorrow."
    raw = other.last.body.decode()
    assert not any(token in raw for token in previous.signatures), "a foreign reasoning token was forwarded"
    assert not any(marker in raw for marker in WRAPPED)
    view = VIEWS[dialect]
    assert set(view.signatures(other.last.json)) <= other.signatures
    assert [call.name for call in view.calls(other.last.json)] == [WEATHER.name]
    assert RESULTS[WEATHER.name] in "".join(answered(view, other.last.json).values())

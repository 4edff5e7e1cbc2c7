"""A multi-turn tool round trip with two parallel calls."""

from __future__ import annotations

from tests.conformance.clients import Conversation
from tests.conformance.scenario import ARGS, RESULTS, TOOLS
from tests.conformance.upstreams import View, answered
from tests.fakes import Call as Scripted
from tests.fakes import Fake, Reply

# Ids in each provider's own style; Gemini's public API sends none.
CALL_IDS: dict[str, tuple[str | None, str | None]] = {
    "openai_chat": ("call_w3ath3r", "call_cl0ck"),
    "openai_responses": ("call_w3ath3r", "call_cl0ck"),
    "anthropic": ("toolu_01W3ath3r", "toolu_01Cl0ck"),
    "gemini": (None, None),
}


def test_parallel_tool_round_trip(
    talk: Conversation, upstream: Fake, upstream_dialect: str, view: View
) -> None:
    ids = CALL_IDS[upstream_dialect]
    calls = [Scripted(spec.name, ARGS[spec.name], id=ids[n]) for n, spec in enumerate(TOOLS)]
    upstream.script(Reply(tool_calls=calls), Reply(text="Paris: 18C and sunny, 14:05."))
    talk.tools(TOOLS)
    talk.user("Weather and time in Paris?")

    first = talk.send()

    assert [(call.name, call.args) for call in first.calls] == [
        (spec.name, ARGS[spec.name]) for spec in TOOLS
    ]
    assert len({call.id for call in first.calls}) == 2
    assert view.tools(upstream.last.json) == [spec.name for spec in TOOLS]

    talk.answer_calls(RESULTS)
    second = talk.send()

    assert second.text == "Paris: 18C and sunny, 14:05."
    assert second.calls == []
    assert len(upstream.requests) == 2
    body = upstream.last.json
    history = view.calls(body)
    assert [(call.name, call.args) for call in history] == [(spec.name, ARGS[spec.name]) for spec in TOOLS]
    if ids[0] is not None:
        # The upstream's own call ids come back to it untouched.
        assert [call.id for call in history] == list(ids)
    pairs = answered(view, body)
    assert set(pairs) == set(RESULTS)
    for name, text in pairs.items():
        assert RESULTS[name] in text, (name, text)

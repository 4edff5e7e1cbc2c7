"""Ids in the client's own form, whatever upstream answered: a Chat completion is
`chatcmpl-`, a Responses response `resp_`, an Anthropic message `msg_`, one id per
answer however many chunks carry it; tool calls are `call_` (OpenAI dialects) or
`toolu_` (Anthropic). A call answered with the id the client received reaches the
upstream with the id the upstream issued."""

from __future__ import annotations

from tests.conformance.clients import Conversation
from tests.conformance.scenario import ARGS, RESULTS, TOOLS
from tests.conformance.test_tools import CALL_IDS
from tests.conformance.upstreams import View, answered
from tests.fakes import Call as Scripted
from tests.fakes import Fake, Reply

# (answer id prefix, tool call id prefix); Gemini has no id convention.
FORMS: dict[str, tuple[str, str]] = {
    "openai_chat": ("chatcmpl-", "call_"),
    "openai_responses": ("resp_", "call_"),
    "anthropic": ("msg_", "toolu_"),
    "gemini": ("", ""),
}


def test_ids_are_in_the_clients_form_and_calls_round_trip(
    talk: Conversation, client_dialect: str, upstream: Fake, upstream_dialect: str, view: View
) -> None:
    issued = CALL_IDS[upstream_dialect]
    calls = [Scripted(spec.name, ARGS[spec.name], id=issued[n]) for n, spec in enumerate(TOOLS)]
    upstream.script(Reply(tool_calls=calls), Reply(text="Done."))
    talk.tools(TOOLS)
    talk.user("Weather and time in Paris?")

    first = talk.send()

    answer_prefix, call_prefix = FORMS[client_dialect]
    assert len(set(first.ids)) == 1, first.ids
    assert first.ids[0].startswith(answer_prefix) and len(first.ids[0]) > len(answer_prefix)
    assert all(call.id is not None and call.id.startswith(call_prefix) for call in first.calls), first.calls
    assert len({call.id for call in first.calls}) == 2

    talk.answer_calls(RESULTS)
    second = talk.send()

    assert len(set(second.ids)) == 1 and second.ids != first.ids
    body = upstream.last.json
    if issued[0] is not None:
        assert [call.id for call in view.calls(body)] == list(issued)
    pairs = answered(view, body)
    assert {name: RESULTS[name] in text for name, text in pairs.items()} == dict.fromkeys(RESULTS, True)
    assert "dgm_" not in upstream.last.body.decode()

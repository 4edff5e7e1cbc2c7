"""How an answer ended and what it cost, for every client and upstream pair, whole and
streamed: the upstream's stop reason in the client's own words (end_turn / stop /
STOP, max_tokens / length / incomplete / MAX_TOKENS, tool_use / tool_calls / function
calls) and its token usage, the counts the upstream reported in the client's
convention (input including cached tokens, output including reasoning)."""

from __future__ import annotations

import pytest

from tests.conformance.clients import Conversation
from tests.conformance.scenario import ARGS, TOOLS, WEATHER
from tests.fakes import Call, Fake, Reply, Usage

USAGE = Usage(input=31, output=17)

REPLIES = {
    "end": Reply(text="All done.", usage=USAGE),
    "max_tokens": Reply(text="This answer was cut sh", stop="max_tokens", usage=USAGE),
    "tool_use": Reply(tool_calls=[Call(WEATHER.name, ARGS[WEATHER.name])], usage=USAGE),
}


@pytest.mark.parametrize("ending", list(REPLIES))
def test_stop_reason_and_usage_reach_the_client(talk: Conversation, upstream: Fake, ending: str) -> None:
    upstream.script(REPLIES[ending])
    if ending == "tool_use":
        talk.tools(TOOLS)
    talk.user("Weather in Paris?")

    answer = talk.send()

    assert answer.stop == ending
    assert answer.usage == (USAGE.input, USAGE.output)
    assert bool(answer.calls) == (ending == "tool_use")


def test_cached_and_reasoning_tokens_are_counted_in_the_clients_convention(
    talk: Conversation, upstream: Fake
) -> None:
    """Anthropic counts cache reads apart from input_tokens, Gemini thoughts apart from
    candidates: each client still reads the whole prompt and the whole output."""
    usage = Usage(input=40, output=12, cached=25, reasoning=4)
    upstream.script(Reply(text="Cached.", usage=usage))
    talk.user("Again?")

    answer = talk.send()

    assert answer.stop == "end"
    assert answer.usage == (usage.input, usage.output)

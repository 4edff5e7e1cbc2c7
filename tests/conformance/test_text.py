"""Plain text, with a system prompt in the client's own form."""

from __future__ import annotations

from tests.conformance.clients import Conversation
from tests.conformance.scenario import SYSTEM
from tests.conformance.upstreams import View
from tests.fakes import Fake, Reply


def test_plain_text(talk: Conversation, upstream: Fake, view: View) -> None:
    upstream.script(Reply(text="Bonjour from the upstream.", chunks=4))
    talk.system(SYSTEM)
    talk.user("Say hello.")

    answer = talk.send()

    assert answer.text == "Bonjour from the upstream."
    assert answer.calls == []
    if talk.stream:
        assert talk.partial == "Bonjour from the upstream."
    body = upstream.last.json
    assert view.system(body) == SYSTEM
    assert len(upstream.requests) == 1
    assert "Say hello." in upstream.last.body.decode()

"""Honest fake upstreams, one per wire format, written apart from dragoman's dialect code.

    fake = FAKES["anthropic"]().start()       # or use the fixtures in tests.fakes.fixtures
    fake.script(Reply(text="Hi", tool_calls=[Call("get_weather", {"city": "Paris"})]))
    ... point a client at fake.url (SDK root) or fake.base_url (API base: /v1, /v1beta) ...
    assert fake.last.json["model"] == "claude-sonnet-4-6"

Each fake checks auth and validates requests as its provider does (answering the provider's
error envelope), and renders scripted Replies in the exact wire format, streamed or not.
"""

from __future__ import annotations

from tests.fakes.anthropic import AnthropicFake
from tests.fakes.base import Fake, Rejected
from tests.fakes.gemini import GeminiFake
from tests.fakes.openai_chat import OpenAIChatFake
from tests.fakes.openai_responses import OpenAIResponsesFake
from tests.fakes.script import Call, Failure, RecordedRequest, Reply, Usage

FAKES: dict[str, type[Fake]] = {
    "openai_chat": OpenAIChatFake,
    "openai_responses": OpenAIResponsesFake,
    "anthropic": AnthropicFake,
    "gemini": GeminiFake,
}

__all__ = [
    "FAKES",
    "AnthropicFake",
    "Call",
    "Failure",
    "Fake",
    "GeminiFake",
    "OpenAIChatFake",
    "OpenAIResponsesFake",
    "RecordedRequest",
    "Rejected",
    "Reply",
    "Usage",
]

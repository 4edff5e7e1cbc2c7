"""One driver per client dialect: a conversation held in that official SDK's own types."""

from __future__ import annotations

from tests.conformance.clients.anthropic import Anthropic
from tests.conformance.clients.base import Conversation, StreamFailed
from tests.conformance.clients.gemini import Gemini
from tests.conformance.clients.openai_chat import OpenAIChat
from tests.conformance.clients.openai_responses import OpenAIResponses

DRIVERS: dict[str, type[Conversation]] = {
    "openai_chat": OpenAIChat,
    "openai_responses": OpenAIResponses,
    "anthropic": Anthropic,
    "gemini": Gemini,
}

__all__ = ["DRIVERS", "Conversation", "StreamFailed"]

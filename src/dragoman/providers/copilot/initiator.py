"""Who started a turn, as Copilot's `X-Initiator` header says it (runtimes.md §3g).

Copilot spends a premium request on each request marked `user`. A turn is the user's
only when the last message of the conversation is a real user message: text, images or
documents typed or attached by a person. Everything a client sends on its own is the
agent's: tool results going back to the model, a compaction (the client asking the
model to summarise the conversation so far), an assistant prefill. Marking those `user`
would spend a premium request on every step of an agent loop.
"""

from __future__ import annotations

from typing import Literal

from dragoman.ir.messages import Document, Image, Message, Text, ToolResult
from dragoman.ir.request import Request

Initiator = Literal["user", "agent"]

# The opening words of the summarising prompts clients send when they compact a
# conversation: Claude Code's `/compact` and Codex's context checkpoint.
COMPACTION_PROMPTS = (
    "Your task is to create a detailed summary of the conversation so far",
    "You are performing a CONTEXT CHECKPOINT COMPACTION",
)


def initiator(request: Request) -> Initiator:
    last = _last_turn(request.messages)
    if last is None or last.role != "user":
        return "agent"
    if any(isinstance(part, ToolResult) for part in last.parts):
        return "agent"
    if not any(isinstance(part, Text | Image | Document) for part in last.parts):
        return "agent"
    return "agent" if _compaction(last) else "user"


def _last_turn(messages: list[Message]) -> Message | None:
    """The last user or assistant message: system notes a client appends after the
    user's message (Claude Code does) do not change who spoke last."""
    turns = [message for message in messages if message.role != "system"]
    return turns[-1] if turns else None


def _compaction(message: Message) -> bool:
    texts = (part.text for part in message.parts if isinstance(part, Text))
    return any(prompt in text for text in texts for prompt in COMPACTION_PROMPTS)

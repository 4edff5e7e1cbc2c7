"""Who started a turn, as Copilot's `X-Initiator` header says it (runtimes.md §3g).

Copilot spends a premium request on each request marked `user`. A turn is the user's
only when the last message of the conversation is a real user message: text, images or
documents typed or attached by a person. Everything a client sends on its own is the
agent's: tool results going back to the model, a compaction (the client asking the
model to summarise the conversation so far), an assistant prefill. Marking those `user`
would spend a premium request on every step of an agent loop. So are the side calls
clients make in the background (titles, topic checks, quota probes), recognised by the
markers in background.toml (`background.py`).
"""

from __future__ import annotations

from typing import Literal

from dragoman.ir.messages import Document, Image, Message, Text, ToolResult
from dragoman.ir.request import Request
from dragoman.providers.copilot.background import background

Initiator = Literal["user", "agent"]


def initiator(request: Request) -> Initiator:
    last = _last_turn(request.messages)
    if last is None or last.role != "user":
        return "agent"
    if any(isinstance(part, ToolResult) for part in last.parts):
        return "agent"
    if not any(isinstance(part, Text | Image | Document) for part in last.parts):
        return "agent"
    return "agent" if background(request, last) else "user"


def _last_turn(messages: list[Message]) -> Message | None:
    """The last user or assistant message: system notes a client appends after the
    user's message (Claude Code does) do not change who spoke last."""
    turns = [message for message in messages if message.role != "system"]
    return turns[-1] if turns else None

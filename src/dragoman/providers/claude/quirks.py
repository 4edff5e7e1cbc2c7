"""What a Claude Pro/Max token needs of a Messages body beyond the API's own rules: Claude
Code's system-prompt preamble.

Anthropic serves a consumer token only for requests shaped like Claude Code's; one
whose system prompt does not start with Claude Code's identity is refused with "This
credential is only authorized for use with Claude Code and cannot be used for other
API requests." (upstreams.md §2.1). So the identity becomes the first system block and
the client's own system text follows as its own blocks, unchanged (as pi does).

A client that is Claude Code (or the Agent SDK) already sends an identity, after its
`x-anthropic-billing-header` block: its system prompt is left exactly as sent. The
model rules of the anthropic kind (adaptive thinking, ...) apply first.
"""

from __future__ import annotations

from typing import Any

from dragoman.ir.request import Request
from dragoman.providers.anthropic.quirks import fix_request as fix_for_model

PREAMBLE = "You are Claude Code, Anthropic's official CLI for Claude."
# The three identities Claude Code and the Claude Agent SDK open with.
IDENTITIES: frozenset[str] = frozenset(
    {
        PREAMBLE,
        "You are Claude Code, Anthropic's official CLI for Claude, running within the Claude Agent SDK.",
        "You are a Claude agent, built on Anthropic's Claude Agent SDK.",
    }
)
# Claude Code's first block: read by the backend, before the identity.
BILLING_PREFIX = "x-anthropic-billing-header:"


def fix_request(body: dict[str, Any], request: Request) -> dict[str, Any]:
    body = fix_for_model(body, request)
    body["system"] = with_preamble(body.get("system"))
    return body


def with_preamble(system: Any) -> list[Any]:
    """System blocks that open (after any billing block) with a Claude Code identity."""
    if isinstance(system, str):
        blocks: list[Any] = [{"type": "text", "text": system}] if system else []
    else:
        blocks = list(system or [])
    start = 0
    while start < len(blocks) and _text(blocks[start]).startswith(BILLING_PREFIX):
        start += 1
    if start < len(blocks) and _text(blocks[start]) in IDENTITIES:
        return blocks
    return [*blocks[:start], {"type": "text", "text": PREAMBLE}, *blocks[start:]]


def _text(block: Any) -> str:
    text = block.get("text") if isinstance(block, dict) else None
    return text if isinstance(text, str) else ""

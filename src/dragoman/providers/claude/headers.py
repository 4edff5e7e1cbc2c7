"""The client identity Anthropic's backend expects with a Claude Pro/Max token: Claude
Code's own headers (upstreams.md §2.1, checked against Claude Code 2.1.329's captured
requests in clients.md).

`oauth-2025-04-20` is what lets a bearer token through at all: without it the API
answers 401 "OAuth authentication is currently not supported." `claude-code-20250219`
and `interleaved-thinking-2025-05-14` are the flags every Claude Code request carries. An
Anthropic client's own `anthropic-beta` flags are added after these (spec
`forward_headers`, merged in `server/upstream_call.py`).
"""

from __future__ import annotations

# The Claude Code release whose requests these headers copy (captured 2026-11).
CLAUDE_CODE_VERSION = "2.1.329"

BETAS: tuple[str, ...] = (
    "claude-code-20250219",
    "oauth-2025-04-20",
    "interleaved-thinking-2025-05-14",
)

HEADERS: dict[str, str] = {
    "anthropic-beta": ",".join(BETAS),
    "anthropic-dangerous-direct-browser-access": "true",
    "user-agent": f"claude-cli/{CLAUDE_CODE_VERSION} (external, cli)",
    "x-app": "cli",
}

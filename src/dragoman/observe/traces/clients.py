"""Which client sent a request, from its user agent: data, first match wins.

A family is what a user recognises in a listing ("claude-code", "codex"), not the
full agent string; an agent no entry names is `other`, and no agent at all `None`.
An SDK is one family whatever its language (`openai-sdk`, `anthropic-sdk`): rules
(`dragoman.policy.rules`) match the same names the traces show.
"""

from __future__ import annotations

# (text the lowercased user agent contains, family). Agents first, SDKs after them:
# an agent built on an SDK names both, and the agent is what the user ran.
FAMILIES: tuple[tuple[str, str], ...] = (
    ("claude-cli", "claude-code"),
    ("claude-code", "claude-code"),
    ("codex_cli_rs", "codex"),
    ("codex_exec", "codex"),
    ("codex", "codex"),
    ("geminicli", "gemini-cli"),
    ("gemini-cli", "gemini-cli"),
    ("opencode", "opencode"),
    ("kilo", "kilo"),
    ("cline", "cline"),
    ("roo-code", "roo-code"),
    ("roocode", "roo-code"),
    ("aider", "aider"),
    ("cursor", "cursor"),
    ("continue", "continue"),
    ("goose", "goose"),
    ("crush", "crush"),
    ("qwen", "qwen-code"),
    ("openai/python", "openai-sdk"),
    ("openai/js", "openai-sdk"),
    ("anthropic/python", "anthropic-sdk"),
    ("anthropic/js", "anthropic-sdk"),
    ("google-genai-sdk", "google-genai"),
    ("google-api-nodejs-client", "google-genai"),
    ("ai-sdk", "vercel-ai-sdk"),
    ("litellm", "litellm"),
    ("langchain", "langchain"),
    ("python-httpx", "httpx"),
    ("python-requests", "requests"),
    ("aiohttp", "aiohttp"),
    ("curl/", "curl"),
    ("mozilla/", "browser"),
)


# Every family a user agent can be given, for rules that name one (`[[routing.rules]]`).
FAMILY_NAMES = frozenset({*(name for _, name in FAMILIES), "other"})

# Families by user agent: the same few agents send nearly every request.
_known: dict[str, str] = {}
KNOWN_MAX = 4096


def family(user_agent: str | None) -> str | None:
    """The client family of this user agent."""
    if not user_agent:
        return None
    found = _known.get(user_agent)
    if found is None:
        if len(_known) >= KNOWN_MAX:
            _known.clear()
        found = _known[user_agent] = _lookup(user_agent.lower())
    return found


def _lookup(agent: str) -> str:
    for needle, name in FAMILIES:
        if needle in agent:
            return name
    return "other"

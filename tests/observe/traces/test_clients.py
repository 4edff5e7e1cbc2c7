"""The client family of the user agents real clients send (captured in
tests/fixtures/client-requests)."""

from __future__ import annotations

import pytest

from dragoman.observe.traces.clients import family


@pytest.mark.parametrize(
    ("agent", "expected"),
    [
        ("claude-cli/2.1.329 (external, sdk-cli)", "claude-code"),
        ("codex_exec/0.169.0 (Debian 12.0.0; x86_64) xterm (codex_exec; 0.169.0)", "codex"),
        ("GeminiCLI-tui/0.61.0/gemini-2.5-flash (linux; x64; terminal)", "gemini-cli"),
        ("opencode/1.0.3 ai-sdk/provider-utils/3.0.0", "opencode"),
        ("Kilo-Code/4.90.0", "kilo"),
        ("OpenAI/Python 3.52.0", "openai-sdk"),
        ("OpenAI/JS 5.1.0", "openai-sdk"),
        ("Anthropic/Python 2.11.0", "anthropic-sdk"),
        ("Anthropic/JS 0.128.0", "anthropic-sdk"),
        ("google-genai-sdk/3.4.0 gl-python/3.11.7", "google-genai"),
        ("curl/8.5.0", "curl"),
        ("my-own-script/1.0", "other"),
        (None, None),
        ("", None),
    ],
)
def test_a_user_agent_names_its_client(agent: str | None, expected: str | None) -> None:
    assert family(agent) == expected
    assert family(agent) == expected  # and again, from what it remembered

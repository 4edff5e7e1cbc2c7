"""Anthropic models served with an API key: ids, limits and capabilities, as data.

Checked 2026-11 against each model's overview page on platform.claude.com (context
window, max output, thinking mode, lifecycle). Every current Claude model reads images,
calls tools and thinks. Claude Code 2.1.329 asks for claude-opus-5-5 by default and for
whatever ANTHROPIC_MODEL names (claude-sonnet-4-5 in the captured runs).
"""

from functools import partial

from dragoman.providers.spec import ModelInfo

_claude = partial(ModelInfo, vision=True, reasoning=True)

MODELS = (
    # Current lineup.
    _claude("claude-fable-5-1", 1_000_000, 128_000, display_name="Claude Fable 5.1"),
    _claude("claude-opus-5-5", 1_000_000, 128_000, display_name="Claude Opus 5.5"),
    _claude("claude-sonnet-5-5", 1_000_000, 128_000, display_name="Claude Sonnet 5.5"),
    _claude("claude-haiku-5-5", 1_000_000, 128_000, display_name="Claude Haiku 5.5"),
    # Legacy: still served (Opus 5 until at least 2027-07-24).
    _claude("claude-fable-5", 1_000_000, 128_000, display_name="Claude Fable 5"),
    _claude("claude-opus-5", 1_000_000, 128_000, display_name="Claude Opus 5"),
    _claude("claude-sonnet-5", 1_000_000, 128_000, display_name="Claude Sonnet 5"),
    # Deprecated: claude-sonnet-4-5 retires on 2026-11-30.
    _claude("claude-sonnet-4-5", 200_000, 64_000, display_name="Claude Sonnet 4.5"),
    _claude("claude-haiku-4-5", 200_000, 64_000, display_name="Claude Haiku 4.5"),
)

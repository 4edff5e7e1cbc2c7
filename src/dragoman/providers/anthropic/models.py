"""Anthropic models served with an API key: ids, limits and capabilities."""

from dragoman.providers.spec import ModelInfo

MODELS = (
    ModelInfo("claude-opus-4-5", 200_000, 64_000, vision=True, reasoning=True),
    ModelInfo("claude-sonnet-4-5", 200_000, 64_000, vision=True, reasoning=True),
    ModelInfo("claude-haiku-4-5", 200_000, 64_000, vision=True, reasoning=True),
)

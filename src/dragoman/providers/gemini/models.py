"""Gemini models served with an API key: ids, limits and capabilities."""

from dragoman.providers.spec import ModelInfo

MODELS = (
    ModelInfo("gemini-2.5-pro", 1_048_576, 65_536, vision=True, reasoning=True),
    ModelInfo("gemini-2.5-flash", 1_048_576, 65_536, vision=True, reasoning=True),
    ModelInfo("gemini-2.5-flash-lite", 1_048_576, 65_536, vision=True, reasoning=True),
)

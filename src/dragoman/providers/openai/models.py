"""OpenAI models served with an API key: ids, limits and capabilities."""

from dragoman.providers.spec import ModelInfo

MODELS = (
    ModelInfo("gpt-5.5", 400_000, 128_000, vision=True, reasoning=True),
    ModelInfo("gpt-5", 400_000, 128_000, vision=True, reasoning=True),
    ModelInfo("gpt-5-mini", 400_000, 128_000, vision=True, reasoning=True),
    ModelInfo("gpt-4.1", 1_047_576, 32_768, vision=True),
    ModelInfo("gpt-4o", 128_000, 16_384, vision=True),
    ModelInfo("gpt-4o-mini", 128_000, 16_384, vision=True),
)

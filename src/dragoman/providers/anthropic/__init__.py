"""Anthropic's Messages API with an API key."""

from dragoman.providers.anthropic.models import MODELS
from dragoman.providers.spec import ProviderSpec

SPEC = ProviderSpec(
    kind="anthropic",
    dialects=("anthropic",),
    base_url="https://api.anthropic.com/v1",
    auth="x-api-key",
    api_key_env="ANTHROPIC_API_KEY",
    headers={"anthropic-version": "2023-06-01"},
    models=MODELS,
)
